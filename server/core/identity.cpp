#include "identity.h"

#include <jwt.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "panelwire/v1/participant_id.h"
#include "text.h"

namespace panelwire::core {

namespace {

Failure refused(const std::string& why) {
  return fail(v1::UNAUTHENTICATED, "token " + why);
}

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};

std::optional<v1::Role> role_of(const std::string& name) {
  if (name == "attendee") return v1::ATTENDEE;
  if (name == "panelist") return v1::PANELIST;
  if (name == "moderator") return v1::MODERATOR;
  return std::nullopt;
}

// Subjects come from the identity provider (user ids, emails): any UTF-8
// without control characters, at most 128 bytes.
bool valid_subject(std::string_view sub) {
  if (sub.empty() || sub.size() > 128 || !utf8_length(sub)) return false;
  return std::none_of(sub.begin(), sub.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool valid_for(jwt_t* j, const std::string& panel_id) {
  std::unique_ptr<char, decltype(&std::free)> text(jwt_get_grants_json(j, "panels"), &std::free);
  if (!text) return false;
  boost::system::error_code ec;
  auto panels = boost::json::parse(text.get(), ec);
  if (ec || !panels.is_array()) return false;
  for (const auto& p : panels.as_array())
    if (p.is_string() && (p.as_string() == "*" || p.as_string() == panel_id)) return true;
  return false;
}

}  // namespace

std::string participant_id(char kind, std::string_view subject, std::string_view id_secret) {
  return v1::participant_id(kind, subject, id_secret);
}

Result<v1::Participant> verify_token(const std::string& token, const std::string& secret,
                                     const std::string& panel_id, std::int64_t now_s,
                                     std::string_view id_secret) {
  if (secret.empty()) return refused("not accepted: this server has no token secret");
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 0 ||
      !raw) {
    if (raw) jwt_free(raw);
    return refused("is malformed or its signature does not match");
  }
  std::unique_ptr<jwt_t, JwtFree> j(raw);
  // Only the algorithm we sign with: never "none", never a confusion.
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) return refused("is not signed with HS256");
  errno = 0;
  long exp = jwt_get_grant_int(j.get(), "exp");
  if (errno != 0) return refused("has no expiry (exp)");
  if (exp <= now_s) return refused("has expired");
  const char* sub = jwt_get_grant(j.get(), "sub");
  const char* name = jwt_get_grant(j.get(), "name");
  const char* role = jwt_get_grant(j.get(), "role");
  if (!sub || !valid_subject(sub)) return refused("has no valid subject (sub)");
  auto name_len = name ? utf8_length(name).value_or(0) : 0;
  if (name_len == 0 || name_len > 64) return refused("has no valid display name (name)");
  auto r = role ? role_of(role) : std::nullopt;
  if (!r) return refused("has no valid role (attendee, panelist or moderator)");
  if (!valid_for(j.get(), panel_id)) return refused("is not valid for panel " + panel_id);
  v1::Participant p;
  p.set_id(participant_id('u', sub, id_secret));
  p.set_display_name(name);
  p.set_role(*r);
  return p;
}

v1::Participant guest(const std::string& client_id, const std::string& display_name,
                      std::string_view id_secret) {
  v1::Participant p;
  p.set_id(participant_id('g', client_id, id_secret));
  p.set_display_name(display_name);
  p.set_role(v1::ATTENDEE);
  return p;
}

}  // namespace panelwire::core
