#include "panelwire/v1/participant_id.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace panelwire::v1 {

std::string participant_id(char kind, std::string_view subject, std::string_view id_secret) {
  std::string msg;
  msg.reserve(subject.size() + 2);
  msg.push_back(kind);
  msg.push_back('\0');  // no subject can pass for another kind's
  msg.append(subject);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), id_secret.data(), static_cast<int>(id_secret.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len);
  // 128 bits: collisions are out of reach, ids stay short on the wire.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id{kind, ':'};
  for (unsigned i = 0; i < 16 && i < len; ++i) {
    id += kHex[mac[i] >> 4];
    id += kHex[mac[i] & 0xf];
  }
  return id;
}

std::string id_secret_from_token_secret(std::string_view token_secret) {
  return participant_id('k', "participant ids", token_secret);
}

}  // namespace panelwire::v1
