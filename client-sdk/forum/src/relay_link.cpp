#include "panelwire/forum/relay_link.h"

#include <ctime>

#include <boost/asio/io_context.hpp>

#include "panelwire/client/client.h"
#include "panelwire/tools/sign_token.h"

namespace panelwire::forum {

namespace {

// Long enough for one update; a token that leaks from a log is soon void.
constexpr long kTokenSeconds = 300;

}  // namespace

bool worth_retrying(v1::ErrorCode code) {
  switch (code) {
    case v1::RATE_LIMITED:
    case v1::UNAVAILABLE:
    case v1::INTERNAL:
    case v1::RESOURCE_EXHAUSTED:
    case v1::UNAUTHENTICATED:
      return true;
    default:
      return false;
  }
}

RelayAnswer RelayLink::send(const std::string& panel, const v1::ForumUpdate& update) {
  auto token = tools::sign_token(options_.token_secret,
                                 {"panelwire-forum-import",
                                  "Forum follow-up",
                                  "moderator",
                                  {panel},
                                  static_cast<long>(std::time(nullptr)) + kTokenSeconds});
  if (!token) return {RelayAnswer::Outcome::failed, "cannot sign a token with the token secret"};
  boost::asio::io_context io;
  client::Options o;
  o.urls = options_.urls;
  o.panel_id = panel;
  o.display_name = "Forum follow-up";
  o.token = *token;
  o.reconnect = false;
  auto c = client::Client::create(io.get_executor(), o);
  RelayAnswer outcome{RelayAnswer::Outcome::failed, "the relay did not answer in time"};
  bool answered = false;
  c->on_state = [&](client::State s, const std::string& why) {
    if (s != client::State::stopped || answered) return;
    outcome.reason = "the relay: " + why;
    // A join refused for good (no such panel, a token it will never take):
    // as wrong as a refused update.
    if (const auto& refusal = c->join_refusal(); refusal && !worth_retrying(refusal->code()))
      outcome.outcome = RelayAnswer::Outcome::refused;
  };
  c->on_welcome = [&](const v1::Welcome&) {
    v1::ClientMessage m;
    *m.mutable_forum_update() = update;
    c->send(m, [&](const v1::Ack& ack) {
      answered = true;
      if (ack.has_error()) {
        outcome.outcome = worth_retrying(ack.error().code()) ? RelayAnswer::Outcome::failed
                                                             : RelayAnswer::Outcome::refused;
        outcome.reason = v1::ErrorCode_Name(ack.error().code()) + ": " + ack.error().message();
      } else {
        outcome = {RelayAnswer::Outcome::applied, {}};
      }
      c->stop();
    });
  };
  c->start();
  io.run_for(options_.timeout);
  // What stopping adds (pending commands failed locally) is not the relay's.
  const auto result = outcome;
  c->stop();
  io.run_for(std::chrono::milliseconds(200));
  return result;
}

}  // namespace panelwire::forum
