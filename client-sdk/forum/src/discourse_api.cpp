#include "panelwire/forum/discourse_api.h"

#include <algorithm>
#include <cctype>

#include <openssl/sha.h>

#include <boost/json.hpp>

namespace panelwire::forum {

namespace {

// "<username> | <date> | #<n>": the number, when `line` is a header.
std::optional<std::uint64_t> header_number(std::string_view line) {
  const auto first = line.find(" | ");
  const auto last = line.rfind(" | #");
  // Three parts: the date sits between two separators.
  if (first == 0 || first == std::string_view::npos || last == std::string_view::npos ||
      last <= first)
    return std::nullopt;
  if (line.substr(0, first).find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  const auto digits = line.substr(last + 4);
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

std::string leftover_marker(std::string_view leftover_id) {
  std::string out = "<!-- panelwire leftover ";
  for (char c : leftover_id) {
    if (c == '-' || c == '%' || c == '>' || static_cast<unsigned char>(c) < 0x21) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  return out + " -->";
}

RawPage scan_raw_page(std::string_view page, std::string_view marker) {
  RawPage out;
  std::optional<std::uint64_t> current;
  std::size_t start = 0;
  while (start < page.size()) {
    auto end = page.find('\n', start);
    if (end == std::string_view::npos) end = page.size();
    const auto line = page.substr(start, end - start);
    if (auto n = header_number(line)) {
      current = n;
      out.posts++;
    } else if (current && line.find(marker) != std::string_view::npos &&
               (out.marked.empty() || out.marked.back() != *current)) {
      out.marked.push_back(*current);
    }
    start = end + 1;
  }
  return out;
}

std::optional<std::string> thread_topic_id(std::string_view thread) {
  const auto t = thread.find("/t/");
  auto rest = thread.substr(t + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  auto digits = [](std::string_view s) {
    return !s.empty() && s.size() < 18 &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
  };
  if (digits(thread)) return std::string(thread);
  if (t == std::string_view::npos) return std::nullopt;
  // Discourse's forms: /t/<id>[/<post>] and /t/<slug>/<id>[/<post>].
  const auto first = rest.substr(0, rest.find('/'));
  if (digits(first)) return std::string(first);
  if (first.size() < rest.size()) {
    rest.remove_prefix(first.size() + 1);
    const auto second = rest.substr(0, rest.find('/'));
    if (digits(second)) return std::string(second);
  }
  return std::nullopt;
}

std::string panel_external_id(const v1::Leftover& l) {
  const auto& id = l.leftover_id();
  const auto life = id.substr(0, id.rfind('/'));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(life.data()), life.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "panelwire-";
  for (int i = 0; i < 20; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::optional<std::string> same_origin_path(std::string_view location, std::string_view base_url) {
  // Visible ASCII only: nothing for a header or a request line to split on.
  for (unsigned char c : location)
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  auto path = location;
  if (!location.starts_with("/")) {
    const auto scheme = base_url.find("://");
    if (scheme == std::string_view::npos) return std::nullopt;
    const auto origin = base_url.substr(0, base_url.find('/', scheme + 3));
    if (location.size() <= origin.size() || !location.starts_with(origin) ||
        location[origin.size()] != '/')
      return std::nullopt;
    path = location.substr(origin.size());
  }
  // "//host/...": another origin, whichever way it came.
  if (path.starts_with("//")) return std::nullopt;
  return std::string(path);
}

std::optional<std::string> marked_leftover(std::string_view raw) {
  static constexpr std::string_view kOpen = "<!-- panelwire leftover ";
  const auto at = raw.find(kOpen);
  if (at == std::string_view::npos) return std::nullopt;
  // A leftover id is under 100 bytes; escaped, at most three times that.
  constexpr std::size_t kMaxId = 300;
  const auto end = raw.find(" -->", at + kOpen.size());
  if (end == std::string_view::npos || end - at - kOpen.size() > 3 * kMaxId) return std::nullopt;
  const auto coded = raw.substr(at + kOpen.size(), end - at - kOpen.size());
  std::string out;
  for (std::size_t i = 0; i < coded.size(); ++i) {
    if (coded[i] != '%') {
      out += coded[i];
      continue;
    }
    if (i + 2 >= coded.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = hex(coded[i + 1]), lo = hex(coded[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (out.size() > kMaxId) return std::nullopt;
  return out;
}

std::optional<LeftoverRef> parse_leftover_id(std::string_view id) {
  const auto last = id.rfind('/');
  const auto first = id.find('/');
  if (first == 0 || last == std::string_view::npos || last + 1 == id.size()) return std::nullopt;
  const auto digits = id.substr(last + 1);
  if (digits.size() > 19) return std::nullopt;
  std::uint64_t q = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    q = q * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (q == 0) return std::nullopt;
  return LeftoverRef{std::string(id.substr(0, first)), q};
}

std::optional<CreatedPost> parse_post_created(std::string_view body) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* post = v.as_object().if_contains("post");
  if (!post || !post->is_object()) return std::nullopt;
  const auto& p = post->as_object();
  auto number = [&](const char* key) -> std::uint64_t {
    const auto* n = p.if_contains(key);
    if (n && n->is_int64() && n->as_int64() > 0) return static_cast<std::uint64_t>(n->as_int64());
    return 0;
  };
  auto text = [&](const char* key) -> std::string {
    const auto* s = p.if_contains(key);
    return s && s->is_string() ? std::string(s->as_string()) : std::string();
  };
  CreatedPost out;
  out.topic_id = number("topic_id") ? std::to_string(number("topic_id")) : "";
  out.post_number = number("post_number");
  out.reply_to_post_number = number("reply_to_post_number");
  out.username = text("username");
  out.name = text("name");
  if (out.topic_id.empty() || out.post_number == 0 || out.username.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> json_member(std::string_view body, std::string_view name) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto* m = v.as_object().if_contains(name);
  if (!m) return std::nullopt;
  if (m->is_string()) return std::string(m->as_string());
  if (m->is_int64()) return std::to_string(m->as_int64());
  if (m->is_uint64()) return std::to_string(m->as_uint64());
  return std::nullopt;
}

}  // namespace panelwire::forum
