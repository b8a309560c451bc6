#pragma once
// What the attack tests share: a bare Hello, a chat sent before joining,
// and the check that the server stopped cleanly.

#include <string>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {
inline v1::ClientMessage hello(const std::string& panel, const std::string& name) {
  v1::ClientMessage m;
  m.set_id("hello");
  m.mutable_hello()->set_panel_id(panel);
  m.mutable_hello()->set_display_name(name);
  return m;
}

inline v1::ClientMessage chat_before_join(int n) {
  v1::ClientMessage m;
  m.set_id("c" + std::to_string(n));
  m.mutable_send_chat()->set_text("too early");
  return m;
}

// The server stopped with SIGTERM: it exits 0 with no session left over.
inline void expect_clean_stop(ServerProcess& server) {
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_NE(server.log().find("event=stopped sessions_left=0"), std::string::npos)
      << "every session ended";
}

}  // namespace panelwire::test
