#include "message_route.h"

#include "text.h"

namespace panelwire::core {

Routed route_message(const v1::ClientMessage& msg, JoinState state) {
  // An id out of form is not echoed: it could be anything, of any size.
  if (!valid_token_id(msg.id()))
    return Refusal{"", fail(v1::INVALID_ARGUMENT,
                            "command id must be 1 to 64 visible ASCII characters (no spaces)")};
  auto refuse = [&](v1::ErrorCode code, std::string message) {
    return Refusal{msg.id(), fail(code, std::move(message))};
  };
  using C = v1::ClientMessage;
  if (msg.command_case() == C::kHello) {
    if (state != JoinState::awaiting_hello)
      return refuse(v1::ALREADY_JOINED, "this connection has joined a panel");
    return Route::hello;
  }
  if (msg.command_case() == C::COMMAND_NOT_SET)
    return refuse(v1::UNKNOWN_COMMAND, "the message holds no known command");
  if (state != JoinState::joined) return refuse(v1::NOT_JOINED, "send Hello first");
  if (msg.command_case() == C::kPing) return Route::ping;
  return Route::command;
}

}  // namespace panelwire::core
