#include "panelwire/forum/follow_up.h"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "panelwire/forum/discourse_api.h"
#include "panelwire/forum/http_post.h"

namespace panelwire::forum {

namespace {

// Longer than any value the relay takes (addresses: 500 bytes, names: 64
// characters), so that it says which limit a value broke; a bound on what
// a callback makes us copy.
constexpr std::size_t kMaxCallbackValue = 4096;

// A member that, when present, is a string of a bounded length.
std::optional<std::string> text_member(const boost::json::object& o, std::string_view key,
                                       std::string& error) {
  const auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (!v->is_string() || v->as_string().size() > kMaxCallbackValue) {
    error = std::string(key) + " is not a string of at most " + std::to_string(kMaxCallbackValue) +
            " bytes";
    return std::nullopt;
  }
  return std::string(v->as_string());
}

}  // namespace

ParsedCallback parse_callback(std::string_view body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return {{}, "the body is not a JSON object"};
  const auto& o = v.as_object();
  std::string error;
  const auto id = text_member(o, "leftover_id", error);
  const auto ref = id ? parse_leftover_id(*id) : std::nullopt;
  if (!ref)
    return {{}, error.empty() ? "leftover_id is not a leftover id the importer posted" : error};
  Callback c;
  c.leftover_id = *id;
  c.panel_id = ref->panel_id;
  c.update.set_question_id(ref->question_id);
  if (auto url = text_member(o, "post_url", error)) c.update.set_post_url(*url);
  if (const auto* a = o.if_contains("answer")) {
    if (!a->is_object()) return {{}, "answer is not an object"};
    const auto by = text_member(a->as_object(), "answered_by", error);
    const auto url = text_member(a->as_object(), "url", error);
    if (error.empty() && (!by || !url)) error = "answer needs answered_by and url";
    if (by && url) {
      c.update.mutable_answer()->set_answered_by(*by);
      c.update.mutable_answer()->set_url(*url);
    }
  }
  if (!error.empty()) return {{}, error};
  if (c.update.post_url().empty() && !c.update.has_answer())
    return {{}, "a callback carries post_url, answer or both"};
  return {std::move(c), {}};
}

bool FollowUp::report(const std::string& leftover_id, const std::string& post_id) {
  const auto url = sink_.url_of(post_id);
  const auto ref = parse_leftover_id(leftover_id);
  if (!url || !ref) return true;  // nothing the panel could show
  v1::ForumUpdate update;
  update.set_question_id(ref->question_id);
  update.set_post_url(*url);
  const auto r = relay_.send(ref->panel_id, update);
  switch (r.outcome) {
    case RelayAnswer::Outcome::applied:
      spdlog::info("event=relay_updated leftover={} url={}", leftover_id, *url);
      return true;
    case RelayAnswer::Outcome::refused:
      spdlog::warn("event=relay_update_refused leftover={} reason=\"{}\"", leftover_id,
                   printable_excerpt(r.reason));
      return true;
    case RelayAnswer::Outcome::failed:
      break;
  }
  spdlog::warn("event=relay_update_failed leftover={} reason=\"{}\"", leftover_id,
               printable_excerpt(r.reason));
  return false;
}

AnswerReply FollowUp::receive(const AnswerRequest& request) {
  return request.from == AnswerRequest::From::callback
             ? from_callback(request.body)
             : from_discourse(request.event, request.body);
}

AnswerReply FollowUp::from_discourse(const std::string& event, const std::string& body) {
  if (!discourse_) return {404, "this importer posts to no Discourse; send callbacks"};
  if (event != "post_created") return {};  // other events: not ours to act on
  const auto post = parse_post_created(body);
  if (!post) return {400, "not a post_created body"};
  const auto reply = discourse_->answer_in(*post);
  if (reply.failed) {
    spdlog::warn("event=answer_lookup_failed topic={} reason=\"{}\"", post->topic_id,
                 printable_excerpt(*reply.failed));
    return {503, "the forum could not say which post this replies to"};
  }
  if (!reply.question) return {};  // not a reply to one of ours
  v1::ForumUpdate update;
  update.set_question_id(reply.question->question_id);
  *update.mutable_answer() = reply.answer;
  return relay(reply.question->panel_id, update, "answer");
}

AnswerReply FollowUp::from_callback(const std::string& body) {
  if (!posted_) return {404, "this importer posts to Discourse; it takes Discourse's webhook"};
  auto parsed = parse_callback(body);
  if (!parsed.callback) {
    spdlog::warn("event=callback_refused reason=\"{}\"", printable_excerpt(parsed.error));
    return {400, parsed.error};
  }
  // A callback speaks of what this importer posted, nothing else of the
  // relay's panels.
  if (!posted_(parsed.callback->leftover_id)) {
    spdlog::warn("event=callback_refused reason=\"not posted here\" leftover=\"{}\"",
                 printable_excerpt(parsed.callback->leftover_id, 120));
    return {404, "leftover_id is not a leftover this importer posted"};
  }
  return relay(parsed.callback->panel_id, parsed.callback->update, "callback");
}

AnswerReply FollowUp::relay(const std::string& panel, const v1::ForumUpdate& update,
                            std::string_view what) {
  const auto r = relay_.send(panel, update);
  const auto question = update.question_id();
  const auto shown = printable_excerpt(panel, 80);  // from a sender we only authenticated
  switch (r.outcome) {
    case RelayAnswer::Outcome::applied:
      spdlog::info("event={}_relayed panel=\"{}\" question={}", what, shown, question);
      return {};
    case RelayAnswer::Outcome::refused:
      spdlog::warn("event={}_refused panel=\"{}\" question={} reason=\"{}\"", what, shown, question,
                   printable_excerpt(r.reason));
      return {422, r.reason};
    case RelayAnswer::Outcome::failed:
      break;
  }
  spdlog::warn("event=relay_update_failed panel=\"{}\" question={} reason=\"{}\"", shown, question,
               printable_excerpt(r.reason));
  return {503, "the relay cannot take it now; send it again"};
}

}  // namespace panelwire::forum
