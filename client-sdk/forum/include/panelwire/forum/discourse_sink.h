#pragma once
// Discourse: POST <base>/posts.json {"topic_id", "raw"} with the Api-Key
// and Api-Username headers. The topic is the panel's forum thread (the
// panel list's forum_thread), unless one topic is configured for all.
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
#include <optional>
#include <string_view>

#include "panelwire/forum/http_post.h"
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
};

class DiscourseSink final : public Sink {
 public:
  explicit DiscourseSink(DiscourseOptions options) : options_(std::move(options)) {}
  Delivery deliver(const v1::Leftover& l, const std::string& text) override;

  // The forum username `l` is posted as.
  std::string author_of(const v1::Leftover& l) const;

 private:
  Delivery post(const std::string& topic, const std::string& as, const v1::Leftover& l,
                const std::string& text);
  DiscourseOptions options_;
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
