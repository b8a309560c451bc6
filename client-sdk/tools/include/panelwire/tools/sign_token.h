#pragma once
// A participant token as the relay verifies it (HS256 JWT: sub, name, role,
// panels, exp), signed with the relays' token secret: `panelwire token`
// prints one, the forum importer makes its own to report to a panel.

#include <optional>
#include <string>
#include <vector>

namespace panelwire::tools {

struct TokenClaims {
  std::string subject;
  std::string name;
  std::string role;                 // attendee, panelist or moderator
  std::vector<std::string> panels;  // "*": any
  long expires_at = 0;              // Unix seconds
};

// Nullopt when the token cannot be signed (the library refused a claim).
std::optional<std::string> sign_token(const std::string& secret, const TokenClaims& claims);

}  // namespace panelwire::tools
