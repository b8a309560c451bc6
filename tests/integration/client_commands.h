#pragma once
// Commands as a client sends them, for tests that drive the Q&A.

#include <cstdint>
#include <string>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::test {

// `m` carrying the command id `id` (a retry sends the same id again).
inline v1::ClientMessage with_id(v1::ClientMessage m, const std::string& id) {
  m.set_id(id);
  return m;
}
inline v1::ClientMessage ask(const std::string& text, bool anonymous = false) {
  v1::ClientMessage m;
  m.mutable_ask_question()->set_text(text);
  m.mutable_ask_question()->set_anonymous(anonymous);
  return m;
}
inline v1::ClientMessage vote(std::uint64_t id, bool withdraw = false) {
  v1::ClientMessage m;
  m.mutable_vote()->set_question_id(id);
  m.mutable_vote()->set_withdraw(withdraw);
  return m;
}
inline v1::ClientMessage moderate(std::uint64_t id, v1::ModerationAction action,
                                  const std::string& answer = {}) {
  v1::ClientMessage m;
  m.mutable_moderate_question()->set_question_id(id);
  m.mutable_moderate_question()->set_action(action);
  m.mutable_moderate_question()->set_answer_text(answer);
  return m;
}
inline v1::ClientMessage end_panel() {
  v1::ClientMessage m;
  m.mutable_end_panel();
  return m;
}

}  // namespace panelwire::test
