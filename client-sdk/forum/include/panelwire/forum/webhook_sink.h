#pragma once
// A generic webhook, for any forum that takes a JSON POST (a Drupal module,
// say). Body: the rendered post and the leftover's fields. Headers:
//   Idempotency-Key: <leftover_id>   the same on every attempt of a post,
//                                    so the receiver can create it once
//   X-Panelwire-Timestamp: <Unix seconds when it was sent>
//   X-Panelwire-Signature: sha256=<hex HMAC-SHA256, with the shared
//                          secret, of "<timestamp>.<body>">
// The timestamp is signed so that a receiver can refuse a request
// captured and replayed later (verify_webhook).
// A 2xx answer's JSON "id" (or "post_id") becomes the post id.

#include <cstdint>
#include <string_view>

#include "panelwire/forum/http_post.h"
#include "panelwire/forum/render.h"
#include "panelwire/forum/sink.h"

namespace panelwire::forum {

struct WebhookOptions {
  std::string url;
  std::string secret;
  PostFormat format = PostFormat::markdown;
};

class WebhookSink final : public Sink {
 public:
  explicit WebhookSink(WebhookOptions options) : options_(std::move(options)) {}
  Delivery deliver(const v1::Leftover& l, const std::string& text) override;

 private:
  WebhookOptions options_;
};

// hex(HMAC-SHA256(secret, body)).
std::string hmac_sha256_hex(const std::string& secret, const std::string& body);

// The X-Panelwire-Signature of `body` sent at `timestamp` (Unix seconds).
std::string webhook_signature(const std::string& secret, std::int64_t timestamp,
                              const std::string& body);

// A signature as received against the one expected, in constant time (the
// length is not secret).
bool signature_equals(std::string_view received, const std::string& expected);

// A receiver's check: the signature matches (compared in constant time)
// and the timestamp is within `tolerance` of `now` (Unix seconds) either
// way. Headers as received; false for anything malformed.
bool verify_webhook(const std::string& secret, std::string_view timestamp_header,
                    std::string_view signature_header, const std::string& body, std::int64_t now,
                    std::int64_t tolerance = 300);

// The id a forum answered with: "id" or "post_id" of a JSON object, else
// `fallback`.
std::string post_id_in(const std::string& body, const std::string& fallback);

}  // namespace panelwire::forum
