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
#include "fuzz_check.h"
#include "identity.h"
#include "text.h"

namespace panelwire::fuzz {

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
      core::guest("fuzz-client", "Guest"),
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
    auto name_len = core::utf8_length(hello.display_name()).value_or(0);
    if (name_len == 0 || name_len > 64) return;
    if (!hello.client_id().empty() && !core::valid_token_id(hello.client_id())) return;
    auto p = core::guest(hello.client_id(), hello.display_name());
    v1::Participant back;
    check(back.ParseFromString(p.SerializeAsString()), "a guest survives serialization");
    return;
  }
  for (const auto& who : roles) {
    auto draft = core::draft_command(*msg, who, core::CommandLimits{});
    if (!draft) continue;
    v1::Event back;
    check(back.ParseFromString(draft->event.SerializeAsString()),
          "a drafted event survives serialization");
  }
}

}  // namespace panelwire::fuzz
