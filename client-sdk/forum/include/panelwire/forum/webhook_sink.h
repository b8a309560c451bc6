#pragma once
// A generic webhook, for any forum that takes a JSON POST (a Drupal module,
// say). Body: the rendered post and the leftover's fields. Headers:
//   Idempotency-Key: <leftover_id>   the same on every attempt of a post,
//                                    so the receiver can create it once
//   X-Panelwire-Signature: sha256=<hex HMAC-SHA256 of the body with the
//                          shared secret>
// A 2xx answer's JSON "id" (or "post_id") becomes the post id.

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

// hex(HMAC-SHA256(secret, body)), as the receiver recomputes it.
std::string hmac_sha256_hex(const std::string& secret, const std::string& body);

// The id a forum answered with: "id" or "post_id" of a JSON object, else
// `fallback`.
std::string post_id_in(const std::string& body, const std::string& fallback);

}  // namespace panelwire::forum
