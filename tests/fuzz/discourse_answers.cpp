// What a forum answers the Discourse sink, which a broken or hostile forum
// controls: a topic's raw dump (scan_raw_page), a JSON member
// (json_member), a redirect's Location (same_origin_path), a post_created
// webhook (parse_post_created), a marker in a post (marked_leftover) and a
// webhook receiver's callback (parse_callback). Invariants:
// a marked post is never before the first header and its number is one a
// header named; a path taken from a Location stays on the forum.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "panelwire/forum/discourse_api.h"
#include "panelwire/forum/follow_up.h"

namespace {

using namespace panelwire;

constexpr std::string_view kBase = "https://forum.example.org";

// Every number a header line of `page` names.
std::set<std::uint64_t> header_numbers(std::string_view page) {
  std::set<std::uint64_t> out;
  std::size_t start = 0;
  while (start < page.size()) {
    auto end = page.find('\n', start);
    if (end == std::string_view::npos) end = page.size();
    const auto line = page.substr(start, end - start);
    const auto hash = line.rfind(" | #");
    if (hash != std::string_view::npos && line.find(" | ") < hash) {
      const auto digits = line.substr(hash + 4);
      std::uint64_t n = 0;
      bool ok = !digits.empty() && digits.size() <= 9;
      for (char c : digits) {
        ok = ok && c >= '0' && c <= '9';
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (ok) out.insert(n);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto marker = forum::leftover_marker("p/1/2");
  const auto scanned = forum::scan_raw_page(input, marker);
  if (!scanned.marked.empty()) {
    fuzz::check(scanned.posts > 0, "a marked post follows a header");
    fuzz::check(input.find(marker) != std::string_view::npos, "a marked post holds the marker");
    const auto named = header_numbers(input);
    for (auto n : scanned.marked)
      fuzz::check(named.contains(n), "a candidate is a header's number");
  }
  (void)forum::json_member(input, "id");
  if (auto post = forum::parse_post_created(input))
    fuzz::check(!post->topic_id.empty() && post->post_number > 0 && !post->username.empty(),
                "a post has its topic, number and author");
  if (auto id = forum::marked_leftover(input)) {
    fuzz::check(forum::marked_leftover(forum::leftover_marker(*id)) == *id,
                "a marker names its leftover back");
    if (auto ref = forum::parse_leftover_id(*id))
      fuzz::check(ref->question_id > 0 && !ref->panel_id.empty(), "a leftover names its question");
  }
  const auto callback = forum::parse_callback(input);
  fuzz::check(callback.callback.has_value() == callback.error.empty(),
              "a callback is read, or refused with a reason");
  if (const auto& c = callback.callback) {
    fuzz::check(c->update.question_id() > 0 && !c->panel_id.empty(), "a callback names a question");
    fuzz::check(!c->update.post_url().empty() || c->update.has_answer(),
                "a callback says something");
    fuzz::check(c->update.post_url().size() <= 4096, "a callback's values are bounded");
  }
  if (auto path = forum::same_origin_path(input, kBase)) {
    fuzz::check(path->starts_with("/") && !path->starts_with("//"), "a path on the forum");
    fuzz::check(path->find_first_of("\r\n") == std::string::npos, "no header smuggled");
  }
  return 0;
}
