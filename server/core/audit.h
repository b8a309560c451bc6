#pragma once
// The audit trail of a panel's moderation: what a moderator's (or a
// panelist's) command did, as the relay writes it to its structured log
// once the command is applied (event=moderation ...; docs/operations.md).
// Participants' own commands (chat, ask, vote, deleting their own message)
// are not moderation and have no entry.

#include <optional>
#include <string>
#include <string_view>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::core {

struct AuditEntry {
  // A fixed word: approve, dismiss, restore, highlight, mark_answered,
  // send_to_forum, merge, promote_chat, delete_chat, mute, unmute,
  // lock_chat, unlock_chat, set_rules, end_panel.
  std::string action;
  // What it acted on: question:<id>, question:<id>>question:<id> (a merge),
  // chat:<seq>, participant:<id>; empty for the panel itself.
  std::string target;
};

// `text` from a client made safe to write into a log line: at most `max`
// bytes, and any character that could end a field or a line, or fake one
// (a space, a quote, an equals sign, a control character, any non-ASCII
// byte), replaced with '?'.
std::string log_safe(std::string_view text, std::size_t max);

// The entry for `msg` sent by `actor`, or nothing when it is not moderation.
std::optional<AuditEntry> audit_of(const v1::ClientMessage& msg, const v1::Participant& actor);

}  // namespace panelwire::core
