#include "panelwire/forum/discourse_sink.h"

#include <boost/json.hpp>

#include "panelwire/forum/webhook_sink.h"
#include "panelwire/v1/participant_id.h"

namespace panelwire::forum {

namespace {

// Discourse counts its limits per minute; a user's post interval is
// seconds. A minute covers both when the forum names no wait.
constexpr std::chrono::milliseconds kDefaultWait{60'000};

bool contains(const std::string& body, std::string_view what) {
  return body.find(what) != std::string::npos;
}

}  // namespace

std::optional<std::chrono::milliseconds> discourse_wait(const HttpResponse& r,
                                                        std::chrono::milliseconds fallback) {
  const bool slow_down =
      r.status == 429 ||
      (r.status == 422 && (contains(r.body, "too quickly") || contains(r.body, "please wait") ||
                           contains(r.body, "too many times") || contains(r.body, "wait_seconds")));
  if (!slow_down) return std::nullopt;
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (!ec && v.is_object()) {
    const auto* extras = v.as_object().if_contains("extras");
    const auto* wait =
        extras && extras->is_object() ? extras->as_object().if_contains("wait_seconds") : nullptr;
    if (wait && wait->is_number()) {
      const auto s = wait->to_number<double>();
      if (s > 0 && s <= kMaxRetryAfter.count())
        return std::chrono::milliseconds(static_cast<std::int64_t>(s * 1000));
    }
  }
  return fallback;
}

std::map<std::string, std::string> accounts_by_subject(
    const std::map<std::string, std::string>& username_by_subject, std::string_view id_secret) {
  std::map<std::string, std::string> out;
  for (const auto& [sub, username] : username_by_subject)
    out[v1::user_id(sub, id_secret)] = username;
  return out;
}

std::string DiscourseSink::author_of(const v1::Leftover& l) const {
  // The asker is first among the credited when named; an anonymous asker
  // (or one named only in the room) is never posted as.
  if (l.anonymous() || l.credited().empty()) return options_.api_username;
  const auto& asker = l.credited(0);
  if (!asker.id().starts_with("u:")) return options_.api_username;
  auto it = options_.accounts.find(asker.id());
  return it == options_.accounts.end() ? options_.api_username : it->second;
}

Delivery DiscourseSink::deliver(const v1::Leftover& l, const std::string& text) {
  const auto& topic = options_.topic_id.empty() ? l.forum_thread() : options_.topic_id;
  if (topic.empty()) {
    Delivery d;
    d.outcome = Delivery::Outcome::refused;
    d.reason = "panel " + l.panel_id() + " has no forum_thread and no --topic is set";
    return d;
  }
  const auto as = author_of(l);
  auto d = post(topic, as, l, text);
  if (d.outcome == Delivery::Outcome::refused && as != options_.api_username) {
    // The user may not post there (suspended, silenced, not in the
    // category's group, a new user's daily cap): the text credits them, so
    // it goes out from the configured account instead.
    auto again = post(topic, options_.api_username, l, text);
    if (again.outcome != Delivery::Outcome::refused)
      again.reason = "posted as " + options_.api_username + " after " + as + " was refused";
    return again;
  }
  return d;
}

Delivery DiscourseSink::post(const std::string& topic, const std::string& as, const v1::Leftover& l,
                             const std::string& text) {
  boost::json::object body;
  body["raw"] = text;
  // Discourse takes topic ids as numbers.
  try {
    body["topic_id"] = std::stoll(topic);
  } catch (...) {
    body["topic_id"] = topic;
  }
  HttpRequest req;
  req.url = options_.base_url + "/posts.json";
  req.body = boost::json::serialize(body);
  req.headers = {"Content-Type: application/json", "Accept: application/json",
                 "Api-Key: " + options_.api_key, "Api-Username: " + as};
  const auto r = http_post(req);
  if (auto wait = discourse_wait(r, kDefaultWait)) {
    Delivery d;
    d.outcome = Delivery::Outcome::retry;
    d.retry_after = *wait;
    d.reason = "the forum asked to wait (HTTP " + std::to_string(r.status) + ")";
    return d;
  }
  return delivery_of(r, [&](const std::string& b) { return post_id_in(b, l.leftover_id()); });
}

}  // namespace panelwire::forum
