#pragma once
// Discourse: POST <base>/posts.json {"topic_id", "raw"} with the Api-Key
// and Api-Username headers. The topic is the panel's forum thread (the
// panel list's forum_thread), unless one topic is configured for all.
// With an admin key and a map from askers' display names to forum
// usernames, a post goes out as its asker; otherwise as the configured
// account, with the attribution in the text. Discourse allows 60 admin API
// requests a minute in all: the importer paces itself below that and
// honours 429 Retry-After.

#include <map>

#include "panelwire/forum/http_post.h"
#include "panelwire/forum/sink.h"

namespace panelwire::forum {

struct DiscourseOptions {
  std::string base_url;  // https://forum.example.org
  std::string api_key;
  std::string api_username;  // the moderator account
  std::string topic_id;      // empty: each leftover's forum_thread
  // Display name -> forum username, to post as the asker (admin key).
  std::map<std::string, std::string> usernames;
};

class DiscourseSink final : public Sink {
 public:
  explicit DiscourseSink(DiscourseOptions options) : options_(std::move(options)) {}
  Delivery deliver(const v1::Leftover& l, const std::string& text) override;

 private:
  DiscourseOptions options_;
};

}  // namespace panelwire::forum
