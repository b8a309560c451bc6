#pragma once
// What the Discourse sink reads and writes besides a post's text, as pure
// functions: the marker that names a post's leftover, the raw dump of a
// topic it is looked for in, the external id of a panel's own topic.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "panelwire/v1/leftover.pb.h"

namespace panelwire::forum {

// Posts per page of Discourse's raw dump of a topic (GET /raw/<topic>?page=N).
inline constexpr std::size_t kRawPageSize = 100;

// An HTML comment naming the leftover, appended to its post: invisible in
// the cooked post, kept in its raw text, and the same on every attempt.
// A '-' is written %2D so the comment never holds "--" (CommonMark ends a
// comment there).
std::string leftover_marker(std::string_view leftover_id);

// A page of the raw dump: each post begins with a line
// "<username> | <date> | #<post number>".
struct RawPage {
  std::size_t posts = 0;  // headers seen (a full page has kRawPageSize)
  // Post numbers of the posts whose text holds the marker. Only candidates:
  // any member can write a header-like line, so each is checked against
  // the post itself.
  std::vector<std::uint64_t> marked;
};
RawPage scan_raw_page(std::string_view page, std::string_view marker);

// The external id of the topic a panel without a thread gets: unique to
// the panel's life (its leftover ids up to the question), within
// Discourse's rule for external ids (at most 50 of [A-Za-z0-9_-]).
std::string panel_external_id(const v1::Leftover& l);

// The topic a panel's forum_thread names: a topic id as it is, or a topic's
// address (https://forum/t/slug/42, /t/42, /t/slug/42/7 for a post in it)
// by the first all-digit segment after /t/. Nullopt for an address that
// names no topic.
std::optional<std::string> thread_topic_id(std::string_view thread);

// The path (and query) of a redirect's Location on the forum itself: the
// API key only ever goes to the configured base URL. Nullopt when it is
// not a path under the same origin as `base_url`.
std::optional<std::string> same_origin_path(std::string_view location, std::string_view base_url);

// A JSON object's member as text (a number or a string): "id", "topic_id".
std::optional<std::string> json_member(std::string_view body, std::string_view name);

// The leftover id a post's raw text names in its marker (the first one).
std::optional<std::string> marked_leftover(std::string_view raw);

// "<panel>/<start>/<question>" (or the older "<panel>/<question>"): the
// panel and the question.
struct LeftoverRef {
  std::string panel_id;
  std::uint64_t question_id = 0;
};
std::optional<LeftoverRef> parse_leftover_id(std::string_view id);

// What a post_created webhook says of the new post.
struct CreatedPost {
  std::string topic_id;
  std::uint64_t post_number = 0;
  std::uint64_t reply_to_post_number = 0;  // 0: not a reply to a post
  std::string username;
  std::string name;  // the display name; may be empty
};
std::optional<CreatedPost> parse_post_created(std::string_view body);

}  // namespace panelwire::forum
