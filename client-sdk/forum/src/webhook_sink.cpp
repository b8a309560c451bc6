#include "panelwire/forum/webhook_sink.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

#include <google/protobuf/util/json_util.h>
#include <boost/json.hpp>

#include "panelwire/forum/discourse_api.h"

namespace panelwire::forum {

std::string hmac_sha256_hex(const std::string& secret, const std::string& body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[mac[i] >> 4];
    out += kHex[mac[i] & 0xf];
  }
  return out;
}

std::string webhook_signature(const std::string& secret, std::int64_t timestamp,
                              const std::string& body) {
  return "sha256=" + hmac_sha256_hex(secret, std::to_string(timestamp) + "." + body);
}

bool verify_webhook(const std::string& secret, std::string_view timestamp_header,
                    std::string_view signature_header, const std::string& body, std::int64_t now,
                    std::int64_t tolerance) {
  if (timestamp_header.empty() || timestamp_header.size() > 12) return false;
  std::int64_t t = 0;
  for (char c : timestamp_header) {
    if (c < '0' || c > '9') return false;
    t = t * 10 + (c - '0');
  }
  if (t < now - tolerance || t > now + tolerance) return false;
  return signature_equals(signature_header, webhook_signature(secret, t, body));
}

bool signature_equals(std::string_view received, const std::string& expected) {
  return received.size() == expected.size() &&
         CRYPTO_memcmp(received.data(), expected.data(), expected.size()) == 0;
}

std::string post_id_in(const std::string& body, const std::string& fallback) {
  for (const char* key : {"id", "post_id"})
    if (auto id = json_member(body, key)) return *id;
  return fallback;
}

Delivery WebhookSink::deliver(const v1::Leftover& l, const std::string& text) {
  std::string leftover_json;
  (void)google::protobuf::util::MessageToJsonString(l, &leftover_json);
  boost::json::object body;
  body["leftover_id"] = l.leftover_id();
  body["panel_id"] = l.panel_id();
  body["forum_thread"] = l.forum_thread();
  body["format"] = options_.format == PostFormat::markdown ? "markdown" : "html";
  body["post"] = text;
  body["leftover"] = boost::json::parse(leftover_json);
  HttpRequest req;
  req.url = options_.url;
  req.body = boost::json::serialize(body);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  req.headers = {"Content-Type: application/json", "Idempotency-Key: " + l.leftover_id(),
                 "X-Panelwire-Timestamp: " + std::to_string(now),
                 "X-Panelwire-Signature: " + webhook_signature(options_.secret, now, req.body)};
  return delivery_of(http_post(req),
                     [&](const std::string& b) { return post_id_in(b, l.leftover_id()); });
}

}  // namespace panelwire::forum
