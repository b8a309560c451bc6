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

std::optional<std::string> RelayLink::send(const std::string& panel,
                                           const v1::ForumUpdate& update) {
  auto token = tools::sign_token(options_.token_secret,
                                 {"panelwire-forum-import",
                                  "Forum follow-up",
                                  "moderator",
                                  {panel},
                                  static_cast<long>(std::time(nullptr)) + kTokenSeconds});
  if (!token) return "cannot sign a token with the token secret";
  boost::asio::io_context io;
  client::Options o;
  o.urls = options_.urls;
  o.panel_id = panel;
  o.display_name = "Forum follow-up";
  o.token = *token;
  o.reconnect = false;
  auto c = client::Client::create(io.get_executor(), o);
  std::optional<std::string> outcome = "the relay did not answer in time";
  bool answered = false;
  c->on_state = [&](client::State s, const std::string& why) {
    if (s == client::State::stopped && !answered) outcome = "the relay: " + why;
  };
  c->on_welcome = [&](const v1::Welcome&) {
    v1::ClientMessage m;
    *m.mutable_forum_update() = update;
    c->send(m, [&](const v1::Ack& ack) {
      answered = true;
      if (ack.has_error())
        outcome = v1::ErrorCode_Name(ack.error().code()) + ": " + ack.error().message();
      else
        outcome.reset();
      c->stop();
    });
  };
  c->start();
  io.run_for(options_.timeout);
  c->stop();
  io.run_for(std::chrono::milliseconds(200));
  return outcome;
}

}  // namespace panelwire::forum
