// A client that stops reading is cut at its byte budget with SLOW_CONSUMER,
// while everyone else in the panel keeps receiving every event in order.

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "chat_burst.h"
#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

TEST(SlowConsumer, StalledReaderIsCutOthersReceiveEverything) {
  ServerProcess server({"--outbound-queue-bytes", "262144", "--max-frame-bytes", "16384",
                        "--close-timeout-ms", "30000", "--drain-timeout-ms", "31000",
                        "--socket-send-buffer-bytes", "16384"});
  constexpr int kMessages = 2000;
  const std::string text(1000, 'x');

  RawClient stalled(server.port(), {.rcvbuf = 4096});
  stalled.join("flood", "Stalled");
  RawClient healthy(server.port(), {.subprotocol = "panelwire.v1.proto"});
  healthy.join("flood", "Healthy");

  std::atomic<int> healthy_count{0};
  auto received = std::async(std::launch::async, [&] {
    std::vector<std::uint64_t> seqs;
    while (seqs.size() < kMessages) {
      auto m = healthy.read(10s);
      if (!m) break;
      if (m->has_event()) {
        seqs.push_back(m->event().seq());
        ++healthy_count;
      }
    }
    return seqs;
  });

  RawClient publisher(server.port(), {.subprotocol = "panelwire.v1.proto"});
  publisher.join("flood", "Publisher");
  // Paced by the healthy reader (see publish): the test is about a reader
  // that stopped, not one that is merely slower than a burst.
  ASSERT_NO_FATAL_FAILURE(publish(publisher, kMessages, text, &healthy_count));

  auto seqs = received.get();
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(kMessages));
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i + 1) << "at " << i;

  // The stalled client finds a gap-free prefix, then the close.
  std::uint64_t last = 0;
  while (auto m = stalled.read(10s)) {
    if (!m->has_event()) continue;
    ASSERT_EQ(m->event().seq(), last + 1);
    last = m->event().seq();
  }
  EXPECT_TRUE(stalled.closed());
  EXPECT_EQ(stalled.close_code(), v1::SLOW_CONSUMER);
  EXPECT_LT(last, static_cast<std::uint64_t>(kMessages)) << "it was cut before the end";

  // It resumes where it stopped and gets exactly the rest.
  RawClient back(server.port());
  auto w = back.join("flood", "Stalled", "", last);
  EXPECT_EQ(w.resume(), v1::RESUMED);
  for (auto want = last + 1; want <= kMessages; ++want) {
    auto m = back.read(10s);
    ASSERT_TRUE(m && m->has_event()) << "missing " << want;
    ASSERT_EQ(m->event().seq(), want);
  }
  EXPECT_FALSE(back.read(300ms)) << "nothing after the last event";
}

// A resume whose reader stalls mid-replay: the replay waits for the socket
// (it is fed at half the budget), while the panel's live events are held
// until it ends; past the budget the session is cut with SLOW_CONSUMER,
// and what the client got before is a gap-free prefix.
TEST(SlowConsumer, AResumeThatStallsInItsReplayIsCutWhenTheEventsItHoldsPassTheCap) {
  ServerProcess server({"--outbound-queue-bytes", "65536", "--max-frame-bytes", "16384",
                        "--socket-send-buffer-bytes", "16384"});
  const std::string text(1000, 'x');
  RawClient first(server.port(), {.subprotocol = "panelwire.v1.proto"});
  first.join("replay", "First");
  ASSERT_NO_FATAL_FAILURE(publish(first, 300, text));

  // From the start: 300 KB to replay, far past what the socket's buffers
  // and half the budget take while nothing is read.
  RawClient stalled(server.port(), {.rcvbuf = 4096});
  auto w = stalled.join("replay", "Stalled", "", 0);
  ASSERT_EQ(w.resume(), v1::RESUMED);
  // 100 KB more while its replay waits: held, past the 64 KiB cap.
  RawClient second(server.port(), {.subprotocol = "panelwire.v1.proto"});
  second.join("replay", "Second");
  ASSERT_NO_FATAL_FAILURE(publish(second, 100, text));

  std::uint64_t last = 0;
  while (auto m = stalled.read(10s)) {
    if (!m->has_event()) continue;
    ASSERT_EQ(m->event().seq(), last + 1);
    last = m->event().seq();
  }
  EXPECT_EQ(stalled.close_code(), v1::SLOW_CONSUMER);
  EXPECT_LT(last, 300u) << "cut before its replay ended";
  EXPECT_TRUE(server.log_shows("too many events held while catching up"))
      << "cut for what it held, not for its queue";
}

}  // namespace
}  // namespace panelwire::test
