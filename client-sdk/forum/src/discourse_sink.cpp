#include "panelwire/forum/discourse_sink.h"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>
#include <boost/json.hpp>

#include "panelwire/forum/discourse_api.h"

#include "panelwire/forum/webhook_sink.h"
#include "panelwire/v1/participant_id.h"

namespace panelwire::forum {

namespace {

// Discourse counts its limits per minute; a user's post interval is
// seconds. A minute covers both when the forum names no wait.
constexpr std::chrono::milliseconds kDefaultWait{60'000};

// The panels whose own topic is remembered; a panel leaves tens of
// leftovers, so a hit rate near one needs few.
constexpr std::size_t kTopicCache = 1024;

// Pages of a topic's raw dump read when looking for a marker: 10,000
// posts, far past a follow-up thread, and a bound on a forum that always
// answers with a full page.
constexpr std::size_t kMaxRawPages = 100;

bool contains(const std::string& body, std::string_view what) {
  return body.find(what) != std::string::npos;
}

// Discourse takes topic and category ids as numbers.
boost::json::value as_topic_id(const std::string& id) {
  if (!id.empty() && id.size() < 18 &&
      std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); }))
    return std::stoll(id);
  return boost::json::value(id);
}

Delivery wait_for(std::chrono::milliseconds wait, const HttpResponse& r) {
  Delivery d;
  d.outcome = Delivery::Outcome::retry;
  d.retry_after = wait;
  d.reason = "the forum asked to wait (HTTP " + std::to_string(r.status) + ")";
  return d;
}

// What an answer whose body names no post means: 2xx "posted" (the
// request did what it asked), else retry or refused as for a post.
Delivery status_of(const HttpResponse& r) {
  return delivery_of(r, [](const std::string&) { return std::string(); });
}

Lookup lookup_failed(const Delivery& d) {
  Lookup l;
  l.outcome =
      d.outcome == Delivery::Outcome::refused ? Lookup::Outcome::refused : Lookup::Outcome::retry;
  l.retry_after = d.retry_after;
  l.reason = d.reason;
  return l;
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

HttpResponse DiscourseSink::get(const std::string& path) const {
  HttpRequest req;
  req.method = "GET";
  req.url = options_.base_url + path;
  req.headers = {"Accept: application/json", "Api-Key: " + options_.api_key,
                 "Api-Username: " + options_.api_username};
  return http_send(req);
}

HttpResponse DiscourseSink::post_json(const boost::json::object& body,
                                      const std::string& as) const {
  HttpRequest req;
  req.url = options_.base_url + "/posts.json";
  req.body = boost::json::serialize(body);
  req.headers = {"Content-Type: application/json", "Accept: application/json",
                 "Api-Key: " + options_.api_key, "Api-Username: " + as};
  return http_send(req);
}

Delivery DiscourseSink::deliver(const v1::Leftover& l, const std::string& text) {
  const auto topic = topic_for(l, true);
  if (topic.failed) return *topic.failed;
  const auto marked = text + "\n\n" + leftover_marker(l.leftover_id());
  const auto as = author_of(l);
  auto d = post(topic.id, as, l, marked);
  if (d.outcome == Delivery::Outcome::refused && as != options_.api_username) {
    // The user may not post there (suspended, silenced, not in the
    // category's group, a new user's daily cap): the text credits them, so
    // it goes out from the configured account instead.
    auto again = post(topic.id, options_.api_username, l, marked);
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
  body["topic_id"] = as_topic_id(topic);
  const auto r = post_json(body, as);
  if (auto wait = discourse_wait(r, kDefaultWait)) return wait_for(*wait, r);
  return delivery_of(r, [&](const std::string& b) { return post_id_in(b, l.leftover_id()); });
}

DiscourseSink::Topic DiscourseSink::topic_for(const v1::Leftover& l, bool create) {
  if (!options_.topic_id.empty()) return {options_.topic_id, {}};
  if (!l.forum_thread().empty()) {
    // The relay's catalog checked it; an address naming no topic is a
    // deployment's mistake the log shows, and the panel gets its own topic.
    if (auto id = thread_topic_id(l.forum_thread())) return {*id, {}};
    spdlog::warn("event=thread_without_topic panel={} forum_thread={}", l.panel_id(),
                 l.forum_thread());
  }
  const auto life = l.leftover_id().substr(0, l.leftover_id().rfind('/'));
  if (auto it = topics_.find(life); it != topics_.end()) return {it->second, {}};
  const auto external_id = panel_external_id(l);
  auto found = find_topic(external_id);
  if (!found.failed && found.id.empty() && create) {
    const auto text = render_topic(l, options_.render);
    boost::json::object body;
    body["title"] = text.title;
    body["raw"] = text.opening + "\n\n" + leftover_marker(life);
    body["external_id"] = external_id;
    if (!options_.category.empty()) body["category"] = as_topic_id(options_.category);
    const auto r = post_json(body, options_.api_username);
    if (r.status == 422 && r.body.find("External ID") != std::string::npos) {
      // Another importer made it a moment ago.
      found = find_topic(external_id);
    } else if (auto wait = discourse_wait(r, kDefaultWait)) {
      found.failed = wait_for(*wait, r);
    } else if (auto d = status_of(r); d.outcome != Delivery::Outcome::posted) {
      d.reason = "creating the panel's topic: " + d.reason;
      found.failed = d;
    } else if (auto id = json_member(r.body, "topic_id")) {
      spdlog::info("event=topic_created panel={} topic={} external_id={}", l.panel_id(), *id,
                   external_id);
      found.id = *id;
    } else {
      found.failed =
          Delivery{Delivery::Outcome::retry, {}, {}, "the new topic's answer named no topic_id"};
    }
  }
  if (!found.failed && !found.id.empty()) {
    if (topics_.size() >= kTopicCache) topics_.clear();
    topics_[life] = found.id;
  }
  return found;
}

DiscourseSink::Topic DiscourseSink::find_topic(const std::string& external_id) {
  auto r = get("/t/external_id/" + external_id + ".json");
  // Discourse answers with a redirect to the topic's own URL.
  for (int hops = 0; hops < 3 && r.status >= 300 && r.status < 400; ++hops) {
    auto path = same_origin_path(r.location, options_.base_url);
    if (!path) {
      return {{},
              Delivery{Delivery::Outcome::refused,
                       {},
                       {},
                       "the forum redirected the topic lookup off the forum: " +
                           printable_excerpt(r.location)}};
    }
    r = get(*path);
  }
  if (r.status == 404) return {};
  auto d = status_of(r);
  if (d.outcome != Delivery::Outcome::posted) {
    d.reason = "looking up the panel's topic: " + d.reason;
    return {{}, d};
  }
  if (auto id = json_member(r.body, "id")) return {*id, {}};
  return {{}, Delivery{Delivery::Outcome::retry, {}, {}, "the topic's answer named no id"}};
}

Lookup DiscourseSink::find(const v1::Leftover& l) {
  const auto topic = topic_for(l, false);
  if (topic.failed) return lookup_failed(*topic.failed);
  if (topic.id.empty()) return {};  // no topic yet: nothing posted in it
  const auto marker = leftover_marker(l.leftover_id());
  for (std::size_t page = 1; page <= kMaxRawPages; ++page) {
    const auto r = get("/raw/" + topic.id + "?page=" + std::to_string(page));
    if (r.status == 404) return {};
    auto d = status_of(r);
    if (d.outcome != Delivery::Outcome::posted) return lookup_failed(d);
    const auto scanned = scan_raw_page(r.body, marker);
    for (auto number : scanned.marked) {
      auto checked = check_post(topic.id, number, l);
      if (checked.outcome != Lookup::Outcome::absent) return checked;
    }
    if (scanned.posts < kRawPageSize) return {};
  }
  return {};
}

DiscourseSink::Reply DiscourseSink::answer_in(const CreatedPost& post) const {
  Reply out;
  if (post.reply_to_post_number == 0 || post.username == options_.api_username) return out;
  const auto read = read_post(post.topic_id, post.reply_to_post_number);
  if (read.failed) {
    out.failed = read.failed->reason;
    return out;
  }
  if (!read.post) return out;
  const auto leftover = marked_leftover(read.post->raw);
  if (!leftover) return out;
  bool ours = read.post->author == options_.api_username;
  for (const auto& [id, username] : options_.accounts) ours = ours || read.post->author == username;
  if (!ours) {
    spdlog::warn("event=foreign_marker topic={} post_number={} author={}", post.topic_id,
                 post.reply_to_post_number, printable_excerpt(read.post->author, 60));
    return out;
  }
  out.question = parse_leftover_id(*leftover);
  out.answer.set_answered_by(post.name.empty() ? post.username : post.name);
  out.answer.set_url(options_.base_url + "/t/" + post.topic_id + "/" +
                     std::to_string(post.post_number));
  return out;
}

DiscourseSink::PostRead DiscourseSink::read_post(const std::string& topic,
                                                 std::uint64_t number) const {
  const auto r = get("/posts/by_number/" + topic + "/" + std::to_string(number) + ".json");
  if (r.status == 404) return {};
  if (auto d = status_of(r); d.outcome != Delivery::Outcome::posted) return {{}, d};
  const auto raw = json_member(r.body, "raw");
  const auto author = json_member(r.body, "username");
  const auto id = json_member(r.body, "id");
  if (!raw || !author || !id) return {};
  return {Post{*raw, *author, *id}, {}};
}

Lookup DiscourseSink::check_post(const std::string& topic, std::uint64_t number,
                                 const v1::Leftover& l) {
  const auto read = read_post(topic, number);
  if (read.failed) return lookup_failed(*read.failed);
  if (!read.post || read.post->raw.find(leftover_marker(l.leftover_id())) == std::string::npos)
    return {};
  if (read.post->author != options_.api_username && read.post->author != author_of(l)) {
    spdlog::warn("event=foreign_marker leftover={} topic={} post_number={} author={}",
                 l.leftover_id(), topic, number, printable_excerpt(read.post->author, 60));
    return {};
  }
  Lookup found;
  found.outcome = Lookup::Outcome::found;
  found.post_id = read.post->id;
  return found;
}

}  // namespace panelwire::forum
