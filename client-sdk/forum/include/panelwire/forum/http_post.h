#pragma once
// One HTTP request (a POST, or a GET of what the forum holds) through
// libcurl, with timeouts, and what its answer means for a leftover: 2xx
// posted; 429 retry after the forum's Retry-After; 5xx and network errors
// retry with backoff; any other status refused.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "panelwire/forum/sink.h"

namespace panelwire::forum {

// The longest wait a forum's Retry-After (or Discourse's wait_seconds) is
// obeyed for: a day's wait named by a broken or hostile forum would stall
// the importer for that long. Past it the importer waits this much and
// tries again.
inline constexpr std::chrono::seconds kMaxRetryAfter{3'600};
// The most of a forum's answer read: a post's id is in the first few
// hundred bytes; past it the answer is cut and treated as a network error.
inline constexpr std::size_t kMaxResponseBytes = 1u << 20;

struct HttpRequest {
  std::string method = "POST";  // or "GET" (no body)
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  // A forum that has not answered in this long is treated as down.
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{30'000};
};

struct HttpResponse {
  long status = 0;  // 0: no answer (network error in `error`)
  std::string body;
  std::string retry_after;  // the Retry-After header, when given
  std::string error;
  // The Location header, when given. Redirects are never followed by the
  // transport: the API key would go wherever a Location points.
  std::string location;
};

// Call curl_global_init once before (main does).
HttpResponse http_send(const HttpRequest& request);
inline HttpResponse http_post(const HttpRequest& request) {
  return http_send(request);
}

// Up to `max` bytes of a forum's answer, fit for a log line or a dead
// letter's reason: control characters (a forged line) become spaces.
std::string printable_excerpt(std::string_view body, std::size_t max = 300);

// `post_id` reads the forum's id for the new post from a 2xx body.
Delivery delivery_of(const HttpResponse& r,
                     const std::function<std::string(const std::string& body)>& post_id);

}  // namespace panelwire::forum
