#include "panelwire/tools/sign_token.h"

#include <jwt.h>

#include <cstdlib>
#include <memory>

#include <boost/json.hpp>

namespace panelwire::tools {

std::optional<std::string> sign_token(const std::string& secret, const TokenClaims& claims) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return std::nullopt;
  std::unique_ptr<jwt_t, decltype(&jwt_free)> j(raw, &jwt_free);
  boost::json::array list;
  for (const auto& p : claims.panels) list.emplace_back(p);
  boost::json::object grants;
  grants["panels"] = list;
  const bool ok =
      jwt_add_grant(j.get(), "sub", claims.subject.c_str()) == 0 &&
      jwt_add_grant(j.get(), "name", claims.name.c_str()) == 0 &&
      jwt_add_grant(j.get(), "role", claims.role.c_str()) == 0 &&
      jwt_add_grant_int(j.get(), "exp", claims.expires_at) == 0 &&
      jwt_add_grants_json(j.get(), boost::json::serialize(grants).c_str()) == 0 &&
      jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) == 0;
  // libjwt 1.10 hands out strings to release with free().
  std::unique_ptr<char, decltype(&std::free)> token(ok ? jwt_encode_str(j.get()) : nullptr,
                                                    &std::free);
  if (!token) return std::nullopt;
  return std::string(token.get());
}

}  // namespace panelwire::tools
