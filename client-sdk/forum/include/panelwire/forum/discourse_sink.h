#pragma once
// Discourse: POST <base>/posts.json {"topic_id", "raw"} with the Api-Key
// and Api-Username headers. The topic is the panel's forum thread (the
// panel list's forum_thread), unless one topic is configured for all; a
// panel with neither gets a topic of its own, created once: its
// external_id names the panel's life, and it is looked up by that
// (GET /t/external_id/<id>.json) before it is made.
//
// Exactly once: each post ends with an invisible marker of its leftover
// (an HTML comment, discourse_api.h). Asked whether a leftover is there
// (find), the sink reads the topic's raw dump for the marker and checks
// the post it points at: its raw text holds the marker and its author is
// the configured account or the asker's account (a member who pastes a
// marker into a reply cannot suppress a post).
//
// Who a post is from: with an admin key and a map of participant ids to
// forum usernames, a question whose asker holds a mapped id (a token
// user's, "u:...") goes out as that user; everything else, guests above
// all, as the configured account, the asker credited in the text. A
// display name never picks an account: any guest may take any name.
//
// Posting as a user counts against that user's limits (new users' posts a
// day, the interval between posts; staff are exempt): a "too fast" answer
// (429, or 422 naming a wait) waits and tries again; a refusal of the user
// (suspended, silenced, not allowed in the topic) posts the same text as
// the configured account instead. Discourse allows 60 admin API requests
// a minute in all: the importer paces itself below that and honours 429
// Retry-After.

#include <map>

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "panelwire/forum/discourse_api.h"
#include "panelwire/forum/http_post.h"
#include "panelwire/forum/render.h"
#include "panelwire/forum/sink.h"

namespace panelwire::forum {

struct DiscourseOptions {
  std::string base_url;  // https://forum.example.org
  std::string api_key;
  std::string api_username;  // the moderator account
  std::string topic_id;      // empty: each leftover's forum_thread
  // Participant id -> forum username, to post as the asker (admin key).
  // Only token users' ids ("u:...") are ever looked up.
  std::map<std::string, std::string> accounts;
  // A panel's own topic: its category (empty: the forum's default) and
  // its title and opening post (render_topic).
  std::string category;
  RenderOptions render;
};

class DiscourseSink final : public Sink {
 public:
  explicit DiscourseSink(DiscourseOptions options) : options_(std::move(options)) {}
  Delivery deliver(const v1::Leftover& l, const std::string& text) override;
  bool can_find() const override { return true; }
  // Discourse's short link to a post: <base>/p/<id>.
  std::optional<std::string> url_of(const std::string& post_id) const override {
    return options_.base_url + "/p/" + post_id;
  }
  Lookup find(const v1::Leftover& l) override;

  // The forum username `l` is posted as.
  std::string author_of(const v1::Leftover& l) const;

  // A reply to one of the importer's posts, as an answer to its question:
  // the question (from the marker of the post replied to, whose author
  // must be the importer's account or a mapped one) and the answer. An
  // empty `question` when the post is no such reply; `failed` when the
  // forum could not say. Reads options only: safe beside deliver().
  struct Reply {
    std::optional<LeftoverRef> question;
    v1::ForumAnswer answer;
    std::optional<std::string> failed;
  };
  Reply answer_in(const CreatedPost& post) const;

 private:
  // The topic `l` goes to; an empty id when the panel's own topic does not
  // exist yet and `create` is false; `failed` when the forum would not say.
  struct Topic {
    std::string id;
    std::optional<Delivery> failed;
  };
  Topic topic_for(const v1::Leftover& l, bool create);
  // The panel's own topic by its external id: its id, "" when there is
  // none, or why the forum could not say.
  Topic find_topic(const std::string& external_id);
  Delivery post(const std::string& topic, const std::string& as, const v1::Leftover& l,
                const std::string& text);
  // Whether post `number` of `topic` is `l`'s: its author one of ours and
  // its raw text holding the marker.
  Lookup check_post(const std::string& topic, std::uint64_t number, const v1::Leftover& l);
  // Post `number` of `topic`: its raw text, author and id; none when the
  // forum has no such post (or answers without them); `failed` when it
  // could not say.
  struct Post {
    std::string raw, author, id;
  };
  struct PostRead {
    std::optional<Post> post;
    std::optional<Delivery> failed;
  };
  PostRead read_post(const std::string& topic, std::uint64_t number) const;
  HttpResponse get(const std::string& path) const;
  HttpResponse post_json(const boost::json::object& body, const std::string& as) const;

  DiscourseOptions options_;
  // Panel life -> its own topic's id, found or made. Overflow rule: past
  // kTopicCache entries it is emptied; a topic forgotten costs one lookup.
  std::map<std::string, std::string> topics_;
};

// The accounts map from forum usernames by token subject: each subject's
// participant id under `id_secret` (the relays' id secret, which they
// derive from their token secret when given none).
std::map<std::string, std::string> accounts_by_subject(
    const std::map<std::string, std::string>& username_by_subject, std::string_view id_secret);

// A Discourse answer that asks us to slow down: 429, or a 422 whose errors
// name a wait ("too quickly", "please wait"). The wait it names (its
// extras.wait_seconds), else `fallback`.
std::optional<std::chrono::milliseconds> discourse_wait(const HttpResponse& r,
                                                        std::chrono::milliseconds fallback);

}  // namespace panelwire::forum
