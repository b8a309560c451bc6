#pragma once
// Who a participant is: from a signed token (JWT, HS256, verified with
// libjwt), or a guest attendee named by the client.
//
// Token claims: "sub" (stable user id), "name" (display name), "role"
// ("attendee", "panelist" or "moderator"), "panels" (array of panel ids the
// token is valid for, or ["*"]), "exp" (Unix seconds; required).

#include <cstdint>
#include <string>

#include "failure.h"

namespace panelwire::core {

// UNAUTHENTICATED with the reason when the token is badly signed, not
// HS256, expired, missing a claim or not valid for `panel_id`.
Result<v1::Participant> verify_token(const std::string& token, const std::string& secret,
                                     const std::string& panel_id, std::int64_t now_s);

// A guest: an attendee whose id follows the client id it keeps across
// reconnects, so a reconnecting guest keeps its votes.
v1::Participant guest(const std::string& client_id, const std::string& display_name);

}  // namespace panelwire::core
