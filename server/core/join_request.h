#pragma once
// A Hello checked into the join it asks for: who the participant is, on
// which panel, and how they want the Welcome. Decided here without I/O;
// the session only counts the join against its address and carries it out.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "failure.h"
#include "reserved_names.h"

namespace panelwire::core {

struct JoinRequest {
  std::string panel_id;
  // The client's own id, or a fresh one when it sent none: keys the
  // de-duplication of its commands and a guest's participant id.
  std::string client_id;
  // As the panel will show them (admit_participant()).
  v1::Participant you;
  // Joined without a token.
  bool guest = true;
  // As the client sent it (unspecified reads as POPULAR).
  v1::QuestionOrder question_order = v1::POPULAR;
  // The last seq the client saw; absent on a first join.
  std::optional<std::uint64_t> resume_after;
};

// What checking a Hello needs from the relay around it. Every reference
// must outlive the call.
struct HelloContext {
  // Verifies tokens; empty: every token is refused.
  const std::string& token_secret;
  // Keys participant ids (see participant_id()).
  std::string_view id_secret;
  // Wall-clock Unix seconds, for the tokens' expiry.
  std::int64_t now_s = 0;
  // What a guest may not call themselves on the Hello's panel.
  const ReservedNames& reserved;
  // A fresh client id (valid_token_id()) for a Hello without one; called
  // only then.
  std::function<std::string()> new_client_id;
};

// The checks that need nothing but the Hello: the panel id and, if sent,
// the client id are well formed. INVALID_ARGUMENT naming the field. The
// session runs them before it counts the join, so a malformed Hello spends
// nothing of its address's join budget.
Result<void> check_hello_ids(const v1::Hello& hello);

// The join `hello` asks for: check_hello_ids(), then the participant from
// the token (UNAUTHENTICATED with the reason when it is refused) or, with
// no token, a guest keyed by the client id; then its name admitted
// (INVALID_ARGUMENT or NAME_RESERVED, see admit_participant()).
// UNAUTHENTICATED comes from the token alone, so callers may tell a refused
// token from a refused name by the code.
Result<JoinRequest> check_hello(const v1::Hello& hello, const HelloContext& ctx);

}  // namespace panelwire::core
