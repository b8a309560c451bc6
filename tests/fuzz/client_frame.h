#pragma once
// What a WebSocket session does with one client frame, without the socket:
// decode it in its subprotocol, check the command id and a Hello's fields,
// draft the command as each role would. Drafted events go to Redis and back
// (the Redis engine's log and replicas), so each must survive that binary
// round trip.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "codec.h"
#include "command_drafts.h"
#include "display_name.h"
#include "fuzz_check.h"
#include "identity.h"
#include "participant_name.h"
#include "text.h"

namespace panelwire::fuzz {

inline const std::string kIdSecret = "panelwire-fuzz-id-secret-0123456789abcdef";

inline v1::Participant member(const char* id, v1::Role role) {
  v1::Participant p;
  p.set_id(id);
  p.set_display_name("Fuzz");
  p.set_role(role);
  return p;
}

inline void run_client_frame(const std::uint8_t* data, std::size_t size, core::WireFormat format) {
  // Parse complaints go to the (silent) logger, as in the server.
  [[maybe_unused]] static const bool routed = (core::route_protobuf_logs(), true);
  static const v1::Participant roles[] = {
      core::guest("fuzz-client", "Guest", kIdSecret),
      member("user:panelist", v1::PANELIST),
      member("user:moderator", v1::MODERATOR),
  };

  auto msg =
      core::decode_client(std::string_view(reinterpret_cast<const char*>(data), size), format);
  if (!msg) {
    check(msg.error().code == v1::MALFORMED, "a frame that does not decode is MALFORMED");
    return;
  }
  if (!core::valid_token_id(msg->id())) return;
  using C = v1::ClientMessage;
  if (msg->command_case() == C::kHello) {
    const auto& hello = msg->hello();
    if (!core::valid_panel_id(hello.panel_id())) return;
    if (!hello.client_id().empty() && !core::valid_token_id(hello.client_id())) return;
    auto p = core::admit_participant(
        core::guest(hello.client_id(), hello.display_name(), kIdSecret), true,
        core::ReservedNames::fixed());
    if (!p) {
      check(p.error().code == v1::INVALID_ARGUMENT || p.error().code == v1::NAME_RESERVED,
            "a refused name is INVALID_ARGUMENT or NAME_RESERVED");
      return;
    }
    auto name_len = core::utf8_length(p->display_name());
    check(name_len && *name_len >= 1 && *name_len <= core::kMaxDisplayNameChars,
          "an admitted name is 1 to kMaxDisplayNameChars characters");
    check(p->id().size() == 34 && p->id().rfind("g:", 0) == 0, "a guest id is g: and 32 hex");
    v1::Participant back;
    check(back.ParseFromString(p->SerializeAsString()), "a guest survives serialization");
    return;
  }
  for (const auto& who : roles) {
    auto draft = core::draft_command(*msg, who, core::CommandLimits{});
    if (!draft) continue;
    v1::Event back;
    check(back.ParseFromString(draft->event.SerializeAsString()),
          "a drafted event survives serialization");
    if (draft->event.has_panel_rules()) {
      check(who.role() == v1::MODERATOR, "only a moderator's rules change is drafted");
      check(draft->event.panel_rules().chat_slow_mode_ms() <= core::kMaxSlowModeMs,
            "a drafted slow mode is at most kMaxSlowModeMs");
    }
  }
}

}  // namespace panelwire::fuzz
