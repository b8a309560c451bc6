#pragma once
// A burst of chat from one publisher, for tests of what readers receive.

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "raw_client.h"

namespace panelwire::test {

// Sends `n` chats of `text` in windows of 16, reading its acks between
// windows so the publisher itself is never a slow consumer. `read`, when
// given, counts what a reader has received: the publisher keeps within 64
// frames of it, for tests about something other than a reader slower than
// a burst on this small machine. Call it inside ASSERT_NO_FATAL_FAILURE.
inline void publish(RawClient& publisher, int n, const std::string& text,
                    const std::atomic<int>* read = nullptr) {
  int acked = 0;
  for (int sent = 0; sent < n;) {
    for (int spins = 0; read && read->load() + 64 < sent && spins < 5000; ++spins)
      std::this_thread::sleep_for(1ms);
    const int window = std::min(16, n - sent);
    for (int i = 0; i < window; ++i) {
      v1::ClientMessage m;
      m.set_id("m" + std::to_string(sent + i));
      m.mutable_send_chat()->set_text(text);
      publisher.send(m);
    }
    sent += window;
    while (acked < sent) {
      auto m = publisher.read(10s);
      ASSERT_TRUE(m) << "the publisher lost its connection";
      if (m->has_ack()) {
        ASSERT_FALSE(m->ack().has_error()) << m->ack().DebugString();
        ++acked;
      }
    }
  }
}

}  // namespace panelwire::test
