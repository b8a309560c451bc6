#pragma once
// One HTTP POST through libcurl, with timeouts, and what its answer means
// for a leftover: 2xx posted; 429 retry after the forum's Retry-After;
// 5xx and network errors retry with backoff; any other status refused.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "panelwire/forum/sink.h"

namespace panelwire::forum {

struct HttpRequest {
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
};

// Call curl_global_init once before (main does).
HttpResponse http_post(const HttpRequest& request);

// `post_id` reads the forum's id for the new post from a 2xx body.
Delivery delivery_of(const HttpResponse& r,
                     const std::function<std::string(const std::string& body)>& post_id);

}  // namespace panelwire::forum
