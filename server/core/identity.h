#pragma once
// Who a participant is: from a signed token (JWT, HS256, verified with
// libjwt), or a guest attendee named by the client.
//
// Token claims: "sub" (stable user id), "name" (display name), "role"
// ("attendee", "panelist" or "moderator"), "panels" (array of panel ids the
// token is valid for, or ["*"]), "exp" (Unix seconds; required).

#include <cstdint>
#include <string>
#include <string_view>

#include "failure.h"

namespace panelwire::core {

// Shortest HS256 secret accepted: 32 bytes is SHA-256's own output size;
// anything shorter can be brute-forced offline from any one token.
inline constexpr std::size_t kMinSecretBytes = 32;

// A participant's public id (v1::participant_id, which the forum importer
// shares): `kind` ('g' guest, 'u' token user), ':' and 32 hex digits of
// HMAC-SHA256(id_secret, kind, subject).
std::string participant_id(char kind, std::string_view subject, std::string_view id_secret);

// UNAUTHENTICATED with the reason when the token is badly signed, not
// HS256, expired, missing a claim or not valid for `panel_id`. The id is
// participant_id('u', sub): the subject (often an e-mail) stays private.
Result<v1::Participant> verify_token(const std::string& token, const std::string& secret,
                                     const std::string& panel_id, std::int64_t now_s,
                                     std::string_view id_secret);

// Whether `id` is a guest's (joined without a token).
inline bool is_guest_id(std::string_view id) {
  return id.starts_with("g:");
}

// A guest: an attendee whose id follows the client id it keeps across
// reconnects (participant_id('g', client_id)), so a reconnecting guest
// keeps its votes; the client id itself never leaves the relay.
v1::Participant guest(const std::string& client_id, const std::string& display_name,
                      std::string_view id_secret);

}  // namespace panelwire::core
