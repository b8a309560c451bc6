#include "panelwire/forum/http_post.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace panelwire::forum {

namespace {

// What the forum gets when it names no wait on a 429: Discourse counts its
// admin API limit per minute.
constexpr std::chrono::seconds kDefaultRetryAfter{60};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* out) {
  auto& body = *static_cast<std::string*>(out);
  // Returning less than given ends the transfer (CURLE_WRITE_ERROR).
  if (body.size() + size * n > kMaxResponseBytes) return 0;
  body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto& response = *static_cast<HttpResponse*>(out);
    auto* field = name == "retry-after" ? &response.retry_after
                  : name == "location"  ? &response.location
                                        : nullptr;
    if (field) {
      auto value = line.substr(colon + 1);
      auto b = value.find_first_not_of(" \t");
      auto e = value.find_last_not_of(" \t\r\n");
      *field = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    }
  }
  return size * n;
}

}  // namespace

HttpResponse http_send(const HttpRequest& request) {
  HttpResponse out;
  CURL* curl = curl_easy_init();
  if (!curl) {
    out.error = "curl_easy_init failed";
    return out;
  }
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
  }

  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  // No signals from a resolver thread: the importer handles SIGTERM itself.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out);
  auto rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  } else if (rc == CURLE_WRITE_ERROR) {
    out.error =
        "the forum's answer was longer than " + std::to_string(kMaxResponseBytes) + " bytes";
  } else {
    out.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return out;
}

std::string printable_excerpt(std::string_view body, std::size_t max) {
  std::string out(body.substr(0, max));
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

Delivery delivery_of(const HttpResponse& r,
                     const std::function<std::string(const std::string& body)>& post_id) {
  Delivery d;
  auto excerpt = [&] {
    return "HTTP " + std::to_string(r.status) + ": " + printable_excerpt(r.body);
  };
  if (r.status == 0) {
    d.outcome = Delivery::Outcome::retry;
    d.reason = r.error;
  } else if (r.status >= 200 && r.status < 300) {
    d.outcome = Delivery::Outcome::posted;
    d.post_id = post_id(r.body);
  } else if (r.status == 429) {
    d.outcome = Delivery::Outcome::retry;
    d.reason = excerpt();
    std::chrono::seconds wait = kDefaultRetryAfter;
    if (!r.retry_after.empty() && r.retry_after.size() < 9 &&
        std::all_of(r.retry_after.begin(), r.retry_after.end(),
                    [](unsigned char c) { return std::isdigit(c); }))
      wait = std::min(std::chrono::seconds(std::stoll(r.retry_after)), kMaxRetryAfter);
    d.retry_after = std::max<std::chrono::milliseconds>(wait, std::chrono::milliseconds(1));
  } else if (r.status >= 500) {
    d.outcome = Delivery::Outcome::retry;
    d.reason = excerpt();
  } else {
    d.outcome = Delivery::Outcome::refused;
    d.reason = excerpt();
  }
  return d;
}

}  // namespace panelwire::forum
