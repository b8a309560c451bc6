#pragma once
// Signed tokens for the tests that verify them: claims a test can spoil one
// at a time, signed with libjwt as an identity provider would.

#include <jwt.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

namespace panelwire::core::testing_support {

constexpr std::int64_t kNow = 1'800'000'000;
inline const std::string kSecret = "token-secret-of-at-least-32-bytes!";
inline const std::string kIds = "id-secret-of-at-least-32-bytes-too";

struct Claims {
  std::string sub = "u-17", name = "Jackie Wheeler", role = "moderator";
  std::string panels = R"({"panels":["expert-panel"]})";
  long exp = kNow + 3600;
  bool with_exp = true;
  jwt_alg_t alg = JWT_ALG_HS256;
  std::string secret = kSecret;
};

inline std::string sign(const Claims& c) {
  jwt_t* raw = nullptr;
  jwt_new(&raw);
  std::unique_ptr<jwt_t, decltype(&jwt_free)> j(raw, &jwt_free);
  if (!c.sub.empty()) jwt_add_grant(j.get(), "sub", c.sub.c_str());
  if (!c.name.empty()) jwt_add_grant(j.get(), "name", c.name.c_str());
  if (!c.role.empty()) jwt_add_grant(j.get(), "role", c.role.c_str());
  if (c.with_exp) jwt_add_grant_int(j.get(), "exp", c.exp);
  if (!c.panels.empty()) jwt_add_grants_json(j.get(), c.panels.c_str());
  if (c.alg == JWT_ALG_NONE)
    jwt_set_alg(j.get(), JWT_ALG_NONE, nullptr, 0);
  else
    jwt_set_alg(j.get(), c.alg, reinterpret_cast<const unsigned char*>(c.secret.data()),
                static_cast<int>(c.secret.size()));
  std::unique_ptr<char, decltype(&std::free)> out(jwt_encode_str(j.get()), &std::free);
  return out ? std::string(out.get()) : std::string();
}

}  // namespace panelwire::core::testing_support
