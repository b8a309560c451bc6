// Participant tokens (JWT, HS256). An input starting with '{' is a claims
// set, signed here with the server's secret so the claim checks are reached;
// any other input is the token string itself, as a client sends it in Hello.

#include <jwt.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_check.h"
#include "display_name.h"
#include "identity.h"
#include "participant_name.h"
#include "text.h"

namespace {

using namespace panelwire;

const std::string kSecret = "panelwire-fuzz-secret-0123456789abcdef";
const std::string kIdSecret = "panelwire-fuzz-id-secret-0123456789abcdef";
const std::string kPanel = "fuzz-panel";
// The seed tokens expire after this.
constexpr std::int64_t kNow = 1'700'000'000;

// Empty when libjwt refuses the claims (not an object, duplicate keys).
std::string sign(const std::string& claims) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return {};
  std::unique_ptr<jwt_t, decltype(&jwt_free)> j(raw, &jwt_free);
  if (jwt_add_grants_json(j.get(), claims.c_str()) != 0) return {};
  if (jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(kSecret.data()),
                  static_cast<int>(kSecret.size())) != 0)
    return {};
  std::unique_ptr<char, decltype(&std::free)> out(jwt_encode_str(j.get()), &std::free);
  return out ? std::string(out.get()) : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::string token = !input.empty() && input.front() == '{' ? sign(input) : input;
  if (token.empty()) return 0;
  auto p = core::verify_token(token, kSecret, kPanel, kNow, kIdSecret);
  if (!p) {
    fuzz::check(p.error().code == v1::UNAUTHENTICATED, "a refused token is UNAUTHENTICATED");
    return 0;
  }
  // What a verified token promises the rest of the server.
  // The subject stays private: the id is u: and 32 hex digits.
  fuzz::check(p->id().size() == 34 && p->id().rfind("u:", 0) == 0, "a user id is u:<hmac>");
  auto admitted = core::admit_participant(*p, false, core::ReservedNames::fixed());
  fuzz::check(admitted.has_value(), "a token's name is never refused");
  auto name_len = core::utf8_length(admitted->display_name());
  fuzz::check(name_len && *name_len >= 1 && *name_len <= core::kMaxDisplayNameChars,
              "an admitted name is 1 to kMaxDisplayNameChars characters");
  fuzz::check(p->role() == v1::ATTENDEE || p->role() == v1::PANELIST || p->role() == v1::MODERATOR,
              "a role is one of the three");
  v1::Participant back;
  fuzz::check(back.ParseFromString(p->SerializeAsString()), "a participant survives serialization");
  return 0;
}
