// The write path under load: frames built once and gathered into one write
// reach the client whole and in order, with the client's pings answered in
// between, and a close comes after the last whole frame.

#include <atomic>
#include <csignal>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "chat_burst.h"
#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

// Small socket buffers on both sides: the relay's gathered writes end up
// partial, and the reader's pings arrive in the middle of them.
TEST(WritePath, ABurstArrivesWholeAndInOrderWhileTheReaderPings) {
  ServerProcess server({"--socket-send-buffer-bytes", "8192"});
  constexpr int kMessages = 600;
  const std::string text(1900, 'w');
  RawClient reader(server.port(), {.subprotocol = "panelwire.v1.proto", .rcvbuf = 4096});
  reader.join("burst", "Reader");
  std::atomic<int> read{0};
  auto received = std::async(std::launch::async, [&] {
    std::vector<std::uint64_t> seqs;
    while (seqs.size() < kMessages) {
      auto m = reader.read(10s);
      if (!m) break;
      if (!m->has_event()) continue;
      EXPECT_EQ(m->event().chat_posted().text(), text) << "a whole frame, not a piece";
      seqs.push_back(m->event().seq());
      ++read;
      // A ping every few frames: the relay answers it inside its read, while
      // its writes to this client are still going out.
      if (seqs.size() % 7 == 0) reader.ping();
    }
    return seqs;
  });
  RawClient publisher(server.port(), {.subprotocol = "panelwire.v1.proto"});
  publisher.join("burst", "Publisher");
  ASSERT_NO_FATAL_FAILURE(publish(publisher, kMessages, text, &read));
  auto seqs = received.get();
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kMessages)) << "none lost";
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i + 1) << "in order, at " << i;
  EXPECT_FALSE(reader.closed()) << "the client's parser saw no broken frame";
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

// A reader that has not read yet when the server shuts down: what it gets
// is a gap-free run of whole frames, then the close frame (1001); a close
// inside a data frame would be a protocol error at the client.
TEST(WritePath, ACloseAfterABurstComesAfterTheLastWholeFrame) {
  ServerProcess server(
      {"--socket-send-buffer-bytes", "8192", "--outbound-queue-bytes", std::to_string(4 << 20)});
  constexpr int kMessages = 300;
  const std::string text(1900, 'c');
  RawClient reader(server.port(), {.subprotocol = "panelwire.v1.json", .rcvbuf = 4096});
  reader.join("burst-close", "Reader");
  RawClient publisher(server.port(), {.subprotocol = "panelwire.v1.proto"});
  publisher.join("burst-close", "Publisher");
  ASSERT_NO_FATAL_FAILURE(publish(publisher, kMessages, text));
  auto stopped = std::async(std::launch::async, [&] { return server.stop(SIGTERM); });
  std::uint64_t last = 0;
  while (auto m = reader.read(10s)) {
    if (!m->has_event()) continue;
    ASSERT_EQ(m->event().seq(), last + 1) << "gap-free";
    ASSERT_EQ(m->event().chat_posted().text(), text);
    last = m->event().seq();
  }
  EXPECT_TRUE(reader.closed());
  EXPECT_EQ(reader.close_code(), 1001) << "a clean close frame, after whole frames only";
  EXPECT_GT(last, 0u);
  EXPECT_EQ(stopped.get(), 0);
}

// Every panel batched (any rate is above 0), with a wait long enough that
// several events share each flush: three readers of both formats still get
// every event once, in order, and the publisher its acks (which are not
// batched) for every command.
TEST(WritePath, ABatchedPanelLosesNothingAndKeepsItsOrder) {
  ServerProcess server({"--batch-above-deliveries-per-second", "0", "--batch-interval-ms", "50"});
  constexpr int kMessages = 400;
  const std::string text(200, 'b');
  std::vector<std::unique_ptr<RawClient>> readers;
  for (const char* sub : {"panelwire.v1.proto", "panelwire.v1.json", "panelwire.v1.proto"}) {
    readers.push_back(std::make_unique<RawClient>(server.port(), RawOptions{.subprotocol = sub}));
    readers.back()->join("batched", "Reader");
  }
  std::atomic<int> read{0};
  std::vector<std::future<std::vector<std::uint64_t>>> received;
  for (auto& r : readers) {
    received.push_back(std::async(std::launch::async, [&, c = r.get()] {
      std::vector<std::uint64_t> seqs;
      while (seqs.size() < kMessages) {
        auto m = c->read(10s);
        if (!m) break;
        if (!m->has_event()) continue;
        EXPECT_EQ(m->event().chat_posted().text(), text);
        seqs.push_back(m->event().seq());
        ++read;
      }
      return seqs;
    }));
  }
  RawClient publisher(server.port(), {.subprotocol = "panelwire.v1.proto"});
  publisher.join("batched", "Publisher");
  ASSERT_NO_FATAL_FAILURE(publish(publisher, kMessages, text));
  for (auto& f : received) {
    auto seqs = f.get();
    ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kMessages)) << "none lost";
    for (std::size_t i = 0; i < seqs.size(); ++i)
      ASSERT_EQ(seqs[i], i + 1) << "in order and once, at " << i;
  }
  for (auto& r : readers) EXPECT_FALSE(r->read(300ms)) << "nothing more";
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace panelwire::test
