#include "panelwire/forum/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <google/protobuf/util/json_util.h>
#include <boost/json.hpp>

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

std::string post_id_in(const std::string& body, const std::string& fallback) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return fallback;
  for (const char* key : {"id", "post_id"}) {
    if (const auto* id = v.as_object().if_contains(key)) {
      if (id->is_string()) return std::string(id->as_string());
      if (id->is_int64()) return std::to_string(id->as_int64());
      if (id->is_uint64()) return std::to_string(id->as_uint64());
    }
  }
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
  req.headers = {"Content-Type: application/json", "Idempotency-Key: " + l.leftover_id(),
                 "X-Panelwire-Signature: sha256=" + hmac_sha256_hex(options_.secret, req.body)};
  return delivery_of(http_post(req),
                     [&](const std::string& b) { return post_id_in(b, l.leftover_id()); });
}

}  // namespace panelwire::forum
