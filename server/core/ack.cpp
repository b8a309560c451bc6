#include "ack.h"

namespace panelwire::core {

v1::ServerMessage make_ack(const std::string& id, std::uint64_t seq) {
  v1::ServerMessage msg;
  auto* a = msg.mutable_ack();
  a->set_id(id);
  a->set_seq(seq);
  return msg;
}

v1::ServerMessage make_ack_error(const std::string& id, const Failure& f) {
  v1::ServerMessage msg;
  auto* a = msg.mutable_ack();
  a->set_id(id);
  auto* e = a->mutable_error();
  e->set_code(f.code);
  e->set_message(f.message);
  e->set_retry_after_ms(f.retry_after_ms);
  return msg;
}

}  // namespace panelwire::core
