#pragma once
// A Discourse stand-in for the importer's tests, on an HttpReceiver (which
// records every request as it came). It behaves like Discourse where the
// importer depends on it:
// - Api-Key checked (403 otherwise); admin API requests limited per window
//   for all users together (Discourse: 60 a minute), 429 with Retry-After
//   and extras.wait_seconds past it;
// - POST /posts.json: a post {topic_id, raw} as Api-Username, or a topic
//   {title, raw, external_id, category}, its title unused (422 "Title has
//   already been used"); a user not in `staff` may post
//   once per `user_post_interval` (429 too fast, as rate_limit_create_post)
//   and no user may post the same raw twice within `unique_post_window`
//   (422 "Body is too similar"); external ids unique (case-insensitive,
//   at most 50 of [A-Za-z0-9_-]; 422 "External ID has already been taken");
// - GET /t/external_id/<id>.json: a 301 to the topic's own URL, or 404;
//   GET /t/<slug>/<id>.json and /t/<id>.json: the topic;
// - GET /raw/<topic>?page=N: the raw dump, 100 posts a page, each under
//   "<username> | <date> | #<n>";
// - GET /posts/by_number/<topic>/<n>.json: the post with its raw text.
// A post is created before it is answered; `answer_delay` holds the answer
// back so a test can kill the importer between the two.
// - Webhooks: a post made on the forum's pages (add_post) is delivered as
//   Discourse delivers post_created: POST {"post": {...}} with
//   X-Discourse-Event and X-Discourse-Event-Signature (sha256=<hex
//   HMAC-SHA256 of the body with the webhook's secret>).

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "http_receiver.h"

namespace panelwire::test {

struct ForumPost {
  std::uint64_t id = 0;
  std::uint64_t topic = 0;
  std::uint64_t number = 0;
  std::string username;
  std::string raw;
  std::chrono::steady_clock::time_point at;
  std::uint64_t reply_to = 0;  // the post number it replies to
};

struct ForumTopic {
  std::uint64_t id = 0;
  std::string title;
  std::string external_id;
  std::string category;
};

class DiscourseStandIn {
 public:
  struct Rules {
    std::string api_key = "k-123";
    std::set<std::string> staff = {"panel-bot"};
    int admin_requests_per_window = 60;
    std::chrono::milliseconds admin_window{60'000};
    std::chrono::milliseconds user_post_interval{5'000};
    std::chrono::milliseconds unique_post_window{300'000};
    std::chrono::milliseconds answer_delay{0};
    // What becomes of the nth POST /posts.json, in order (past the list:
    // as usual): 502 made, and answered 502 as a proxy in front of the
    // forum does when the forum answered too late; 503 not made, answered
    // 503; 0 as usual.
    std::vector<unsigned> post_faults;
  };
  explicit DiscourseStandIn(Rules rules);
  DiscourseStandIn() : DiscourseStandIn(Rules{}) {}

  std::string url() const { return http_.url(""); }
  // A topic made by hand (a panel's forum_thread); its id.
  std::uint64_t add_topic(const std::string& title);
  // A post made on the forum's own pages (a member's reply, to post
  // number `reply_to` when not 0), delivered to the webhook when one is
  // set. The webhook's HTTP status, 0 when none is set or it did not
  // answer.
  unsigned add_post(std::uint64_t topic, const std::string& username, const std::string& raw,
                    std::uint64_t reply_to = 0, const std::string& name = {});
  void set_webhook(const std::string& host, unsigned short port, const std::string& secret);
  // The post_created body of `p`, as Discourse sends it.
  static std::string post_created(const ForumPost& p, const std::string& name);

  std::vector<ForumPost> posts();
  std::vector<ForumTopic> topics();
  std::vector<ReceivedRequest> requests() { return http_.requests(); }
  // Requests answered 429 for the admin limit.
  int throttled();

 private:
  CannedResponse answer(const ReceivedRequest& r);
  CannedResponse create(const ReceivedRequest& r, const std::string& user);
  CannedResponse show_topic(std::uint64_t id) const;
  CannedResponse raw_dump(std::uint64_t topic, std::size_t page) const;
  ForumPost& append(std::uint64_t topic, const std::string& user, const std::string& raw);

  Rules rules_;
  std::mutex m_;
  std::map<std::uint64_t, ForumTopic> topics_;
  std::vector<ForumPost> posts_;
  // Overflow rule: entries older than the window are dropped on each
  // request, so it holds one window's requests at most.
  std::deque<std::chrono::steady_clock::time_point> admin_requests_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_post_by_user_;
  int throttled_ = 0;
  std::string hook_host_, hook_secret_;
  unsigned short hook_port_ = 0;
  std::size_t posts_asked_ = 0;
  // Last, so it is destroyed first: its destructor joins the thread that
  // may still be answering a request with the members above.
  HttpReceiver http_;
};

}  // namespace panelwire::test
