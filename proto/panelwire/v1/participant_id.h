#pragma once
// Participant ids, as the relay gives them and as the forum importer maps
// them to forum accounts: part of the protocol, so both sides compute them
// from this one definition.
//
// An id is `kind` ('g' guest, 'u' token user), ':' and 32 hex digits of
// HMAC-SHA256(id_secret, kind NUL subject). Opaque: an id tells nothing of
// the client id or token subject behind it and gives no way to act as its
// owner. Every node shares `id_secret`, so a participant has the same id on
// each.

#include <string>
#include <string_view>

namespace panelwire::v1 {

std::string participant_id(char kind, std::string_view subject, std::string_view id_secret);

// A token user's id: participant_id('u', sub).
inline std::string user_id(std::string_view sub, std::string_view id_secret) {
  return participant_id('u', sub, id_secret);
}

// The id secret a relay derives from its token secret when given none
// (so nodes sharing a token secret share ids).
std::string id_secret_from_token_secret(std::string_view token_secret);

}  // namespace panelwire::v1
