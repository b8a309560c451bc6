#include "discourse_stand_in.h"

#include <algorithm>
#include <regex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "panelwire/forum/webhook_sink.h"

namespace panelwire::test {

namespace {

CannedResponse json_error(unsigned status, const std::string& message) {
  boost::json::object o;
  o["errors"] = boost::json::array{boost::json::value(message)};
  return {status, boost::json::serialize(o), {}};
}

CannedResponse too_many(std::chrono::milliseconds left) {
  const auto seconds =
      std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(left).count() + 1);
  boost::json::object o;
  o["errors"] = boost::json::array{
      boost::json::value("You've performed this action too many times. Please wait " +
                         std::to_string(seconds) + " seconds before trying again.")};
  o["error_type"] = "rate_limit";
  o["extras"] = boost::json::object{{"wait_seconds", seconds}};
  return {429, boost::json::serialize(o), {{"Retry-After", std::to_string(seconds)}}};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string slug_of(const std::string& title) {
  std::string out;
  for (char c : lower(title)) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "topic" : out;
}

boost::json::object post_json(const ForumPost& p) {
  return {{"id", p.id},
          {"topic_id", p.topic},
          {"post_number", p.number},
          {"username", p.username},
          {"raw", p.raw}};
}

}  // namespace

DiscourseStandIn::DiscourseStandIn(Rules rules) : rules_(std::move(rules)) {
  http_.set_policy(
      [this](const ReceivedRequest& r, int) -> std::optional<CannedResponse> { return answer(r); });
}

std::uint64_t DiscourseStandIn::add_topic(const std::string& title) {
  std::lock_guard lock(m_);
  const auto id = 100 + topics_.size();
  topics_[id] = ForumTopic{id, title, {}, {}};
  return id;
}

unsigned DiscourseStandIn::add_post(std::uint64_t topic, const std::string& username,
                                    const std::string& raw, std::uint64_t reply_to,
                                    const std::string& name) {
  ForumPost made;
  std::string host, secret;
  unsigned short port = 0;
  {
    std::lock_guard lock(m_);
    auto& p = append(topic, username, raw);
    p.reply_to = reply_to;
    made = p;
    host = hook_host_;
    secret = hook_secret_;
    port = hook_port_;
  }
  if (port == 0) return 0;
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address(host), port), ec);
  if (ec) return 0;
  http::request<http::string_body> req{http::verb::post, "/", 11};
  req.set(http::field::host, host);
  req.set(http::field::content_type, "application/json");
  req.set("X-Discourse-Event-Type", "post");
  req.set("X-Discourse-Event", "post_created");
  req.body() = post_created(made, name);
  req.set("X-Discourse-Event-Signature", "sha256=" + forum::hmac_sha256_hex(secret, req.body()));
  req.prepare_payload();
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  return ec ? 0 : res.result_int();
}

void DiscourseStandIn::set_webhook(const std::string& host, unsigned short port,
                                   const std::string& secret) {
  std::lock_guard lock(m_);
  hook_host_ = host;
  hook_port_ = port;
  hook_secret_ = secret;
}

std::string DiscourseStandIn::post_created(const ForumPost& p, const std::string& name) {
  boost::json::object post = post_json(p);
  post["name"] = name;
  post["cooked"] = "<p>" + p.raw + "</p>";
  if (p.reply_to)
    post["reply_to_post_number"] = p.reply_to;
  else
    post["reply_to_post_number"] = nullptr;
  return boost::json::serialize(boost::json::object{{"post", post}});
}

std::vector<ForumPost> DiscourseStandIn::posts() {
  std::lock_guard lock(m_);
  return posts_;
}

std::vector<ForumTopic> DiscourseStandIn::topics() {
  std::lock_guard lock(m_);
  std::vector<ForumTopic> out;
  for (const auto& [id, t] : topics_) out.push_back(t);
  return out;
}

int DiscourseStandIn::throttled() {
  std::lock_guard lock(m_);
  return throttled_;
}

ForumPost& DiscourseStandIn::append(std::uint64_t topic, const std::string& user,
                                    const std::string& raw) {
  std::uint64_t number = 1;
  for (const auto& p : posts_)
    if (p.topic == topic) number = std::max(number, p.number + 1);
  posts_.push_back(
      ForumPost{1000 + posts_.size(), topic, number, user, raw, std::chrono::steady_clock::now()});
  return posts_.back();
}

CannedResponse DiscourseStandIn::answer(const ReceivedRequest& r) {
  const auto key = r.headers.find("api-key");
  const auto user = r.headers.find("api-username");
  if (key == r.headers.end() || key->second != rules_.api_key || user == r.headers.end())
    return json_error(403, "You are not permitted to view the requested resource.");
  static const std::regex by_external(R"(/t/external_id/([^/?]+)\.json)");
  static const std::regex topic_path(R"(/t/(?:[^/?]+/)?([0-9]+)\.json)");
  static const std::regex raw_path(R"(/raw/([0-9]+)(?:\?page=([0-9]+))?)");
  static const std::regex by_number(R"(/posts/by_number/([0-9]+)/([0-9]+)\.json)");
  std::smatch m;
  {
    std::lock_guard lock(m_);
    const auto now = std::chrono::steady_clock::now();
    while (!admin_requests_.empty() && now - admin_requests_.front() >= rules_.admin_window)
      admin_requests_.pop_front();
    if (static_cast<int>(admin_requests_.size()) >= rules_.admin_requests_per_window) {
      throttled_++;
      return too_many(std::chrono::duration_cast<std::chrono::milliseconds>(
          rules_.admin_window - (now - admin_requests_.front())));
    }
    admin_requests_.push_back(now);

    if (r.method == "GET" && std::regex_match(r.target, m, by_external)) {
      const auto wanted = lower(m[1].str());
      for (const auto& [id, t] : topics_) {
        if (!t.external_id.empty() && lower(t.external_id) == wanted)
          return {301,
                  "",
                  {{"Location",
                    http_.url("/t/" + slug_of(t.title) + "/" + std::to_string(id) + ".json")}}};
      }
      return json_error(404, "The requested URL or resource could not be found.");
    }
    if (r.method == "GET" && std::regex_match(r.target, m, topic_path))
      return show_topic(std::stoull(m[1].str()));
    if (r.method == "GET" && std::regex_match(r.target, m, raw_path))
      return raw_dump(std::stoull(m[1].str()), m[2].matched ? std::stoull(m[2].str()) : 1);
    if (r.method == "GET" && std::regex_match(r.target, m, by_number)) {
      const auto topic = std::stoull(m[1].str()), number = std::stoull(m[2].str());
      for (const auto& p : posts_)
        if (p.topic == topic && p.number == number)
          return {200, boost::json::serialize(post_json(p)), {}};
      return json_error(404, "The requested URL or resource could not be found.");
    }
    if (r.method != "POST" || r.target != "/posts.json")
      return json_error(404, "The requested URL or resource could not be found.");
  }
  unsigned fault = 0;
  {
    std::lock_guard lock(m_);
    const auto nth = posts_asked_++;
    if (nth < rules_.post_faults.size()) fault = rules_.post_faults[nth];
  }
  if (fault == 503)
    return {503, "<html>503 Service Unavailable</html>", {{"Content-Type", "text/html"}}};
  auto created = create(r, user->second);
  if (fault == 502 && created.status == 200)
    return {502, "<html>502 Bad Gateway</html>", {{"Content-Type", "text/html"}}};
  // Made, not yet answered: a kill now leaves a post the importer never
  // heard of.
  if (created.status == 200 && rules_.answer_delay.count() > 0)
    std::this_thread::sleep_for(rules_.answer_delay);
  return created;
}

CannedResponse DiscourseStandIn::create(const ReceivedRequest& r, const std::string& user) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) return json_error(400, "param is missing or the value is empty");
  const auto& o = v.as_object();
  const auto* raw = o.if_contains("raw");
  if (!raw || !raw->is_string() || raw->as_string().size() < 20)
    return json_error(422, "Body is too short (minimum is 20 characters)");
  std::lock_guard lock(m_);
  const auto now = std::chrono::steady_clock::now();
  if (!rules_.staff.contains(user)) {
    auto last = last_post_by_user_.find(user);
    if (last != last_post_by_user_.end() && now - last->second < rules_.user_post_interval)
      return too_many(std::chrono::duration_cast<std::chrono::milliseconds>(
          rules_.user_post_interval - (now - last->second)));
  }
  for (const auto& p : posts_) {
    if (p.username == user && p.raw == raw->as_string() && now - p.at < rules_.unique_post_window)
      return json_error(422, "Body is too similar to what you recently posted");
  }
  std::uint64_t topic = 0;
  if (const auto* title = o.if_contains("title")) {
    std::string external;
    if (const auto* e = o.if_contains("external_id"); e && e->is_string()) {
      external = std::string(e->as_string());
      static const std::regex shape(R"([A-Za-z0-9_-]{1,50})");
      if (!std::regex_match(external, shape)) return json_error(422, "External ID is invalid");
      for (const auto& [id, t] : topics_)
        if (!t.external_id.empty() && lower(t.external_id) == lower(external))
          return json_error(422, "External ID has already been taken");
    }
    if (!title->is_string() || title->as_string().size() < 15)
      return json_error(422, "Title is too short (minimum is 15 characters)");
    // allow_duplicate_topic_titles is off by default.
    for (const auto& [id, t] : topics_)
      if (lower(t.title) == lower(std::string(title->as_string())))
        return json_error(422, "Title has already been used");
    topic = 100 + topics_.size();
    std::string category;
    if (const auto* c = o.if_contains("category"); c && c->is_int64())
      category = std::to_string(c->as_int64());
    topics_[topic] = ForumTopic{topic, std::string(title->as_string()), external, category};
  } else {
    const auto* t = o.if_contains("topic_id");
    if (t && t->is_int64()) topic = static_cast<std::uint64_t>(t->as_int64());
    if (!topics_.contains(topic))
      return json_error(404, "The requested URL or resource could not be found.");
  }
  last_post_by_user_[user] = now;
  return {200,
          boost::json::serialize(post_json(append(topic, user, std::string(raw->as_string())))),
          {}};
}

CannedResponse DiscourseStandIn::show_topic(std::uint64_t id) const {
  auto it = topics_.find(id);
  if (it == topics_.end())
    return json_error(404, "The requested URL or resource could not be found.");
  std::size_t count = 0;
  for (const auto& p : posts_) count += p.topic == id ? 1 : 0;
  boost::json::object o{{"id", id},
                        {"title", it->second.title},
                        {"slug", slug_of(it->second.title)},
                        {"posts_count", count}};
  return {200, boost::json::serialize(o), {}};
}

CannedResponse DiscourseStandIn::raw_dump(std::uint64_t topic, std::size_t page) const {
  if (!topics_.contains(topic))
    return json_error(404, "The requested URL or resource could not be found.");
  std::vector<const ForumPost*> in_topic;
  for (const auto& p : posts_)
    if (p.topic == topic) in_topic.push_back(&p);
  std::string out;
  const std::size_t first = (std::max<std::size_t>(page, 1) - 1) * 100;
  for (std::size_t i = first; i < in_topic.size() && i < first + 100; ++i) {
    const auto& p = *in_topic[i];
    out += p.username + " | 2026-12-03 12:00:00 UTC | #" + std::to_string(p.number) + "\n\n" +
           p.raw + "\n\n-------------------------\n\n";
  }
  return {200, out, {{"Content-Type", "text/plain; charset=utf-8"}}};
}

}  // namespace panelwire::test
