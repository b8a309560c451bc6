// A session's outbound queue: FIFO over a growing ring, an exact byte cap,
// and frames shared, never copied.

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "outbound_queue.h"

namespace panelwire::core {
namespace {

Frame frame_of(std::size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

// A frame whose bytes name it, to check order.
Frame numbered(int n) {
  return std::make_shared<const std::string>(std::to_string(n));
}

// Writes the front frame alone; returns its bytes.
std::string write_one(OutboundQueue& q) {
  std::string written;
  EXPECT_EQ(q.begin_write(1, 1 << 20, [&](const std::string& f) { written = f; }), 1u);
  q.end_write();
  return written;
}

// Writes the front frame alone; returns where its bytes were, to compare.
const std::string* write_one_at(OutboundQueue& q) {
  const std::string* at = nullptr;
  EXPECT_EQ(q.begin_write(1, 1 << 20, [&](const std::string& f) { at = &f; }), 1u);
  q.end_write();
  return at;
}

TEST(OutboundQueue, StartsEmpty) {
  OutboundQueue q(10);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, KeepsOrderAndCountsBytes) {
  OutboundQueue q(100);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(q.push(frame_of(5, static_cast<char>('a' + i))));
  EXPECT_EQ(q.size(), 20u);
  EXPECT_EQ(q.bytes(), 100u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ(write_one(q)[0], static_cast<char>('a' + i)) << "FIFO across ring growth";
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, GrowingWhileWrappedKeepsOrder) {
  // Pop some first so the ring's start is in the middle when it grows.
  OutboundQueue q(1 << 20);
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 3 + round * 2; ++i) ASSERT_TRUE(q.push(numbered(next_in++)));
    for (int i = 0; i < 2 + round; ++i) {
      ASSERT_EQ(write_one(q), std::to_string(next_out++)) << "round " << round;
    }
  }
  EXPECT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
  while (!q.empty()) {
    ASSERT_EQ(write_one(q), std::to_string(next_out++));
  }
  EXPECT_EQ(next_out, next_in) << "every frame came out once";
}

TEST(OutboundQueue, MatchesASimpleQueueUnderAnyInterleaving) {
  // A reference model: the same pushes and pops on a std::deque.
  OutboundQueue q(64);
  std::deque<Frame> model;
  std::size_t model_bytes = 0;
  std::uint32_t rng = 12345;
  auto next = [&] { return rng = rng * 1'103'515'245u + 12'345u; };
  for (int step = 0; step < 5'000; ++step) {
    if (next() % 3 != 0) {
      auto f = frame_of(next() % 20, static_cast<char>('a' + step % 26));
      bool fits = model.empty() || model_bytes + f->size() <= 64;
      ASSERT_EQ(q.push(f), fits) << step;
      if (fits) {
        model_bytes += f->size();
        model.push_back(f);
      }
    } else if (!model.empty()) {
      ASSERT_EQ(write_one_at(q), model.front().get()) << step;
      model_bytes -= model.front()->size();
      model.pop_front();
    }
    ASSERT_EQ(q.size(), model.size()) << step;
    ASSERT_EQ(q.bytes(), model_bytes) << step;
    ASSERT_EQ(q.empty(), model.empty()) << step;
  }
}

TEST(OutboundQueue, RefusesPastTheByteCapExactly) {
  OutboundQueue q(10);
  ASSERT_TRUE(q.push(frame_of(6)));
  EXPECT_TRUE(q.push(frame_of(4))) << "exactly at the cap fits";
  EXPECT_FALSE(q.push(frame_of(1))) << "one byte over does not";
  EXPECT_EQ(q.bytes(), 10u) << "a refused frame leaves the queue as it was";
  write_one(q);
  EXPECT_TRUE(q.push(frame_of(6)));
}

TEST(OutboundQueue, ARefusedFrameIsNotKept) {
  OutboundQueue q(10);
  ASSERT_TRUE(q.push(frame_of(10)));
  auto f = frame_of(1);
  EXPECT_FALSE(q.push(f));
  EXPECT_EQ(f.use_count(), 1) << "the queue holds no reference to it";
  EXPECT_EQ(q.size(), 1u);
  EXPECT_TRUE(q.push(frame_of(0))) << "an empty frame adds no bytes";
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.bytes(), 10u);
}

TEST(OutboundQueue, OneOversizedFrameFitsAnEmptyQueue) {
  OutboundQueue q(10);
  EXPECT_TRUE(q.push(frame_of(50))) << "or a big frame would wedge the session";
  EXPECT_EQ(q.bytes(), 50u);
  EXPECT_FALSE(q.push(frame_of(1)));
  write_one(q);
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.push(frame_of(10))) << "back to normal once it is written";
  EXPECT_FALSE(q.push(frame_of(1)));
}

TEST(OutboundQueue, ClearPendingKeepsTheFrameBeingWritten) {
  OutboundQueue q(100);
  ASSERT_TRUE(q.push(frame_of(3, 'a')));
  ASSERT_EQ(q.begin_write(1, 100, [](const std::string&) {}), 1u);
  ASSERT_TRUE(q.push(frame_of(4, 'b')));
  ASSERT_TRUE(q.push(frame_of(5, 'c')));
  q.clear_pending();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 3u);
  q.end_write();
  EXPECT_TRUE(q.empty()) << "what was written went; nothing after it is left";
}

TEST(OutboundQueue, ClearPendingWhenWrappedAndOnTheEdges) {
  OutboundQueue empty(10);
  empty.clear_pending();
  EXPECT_TRUE(empty.empty());

  OutboundQueue one(10);
  ASSERT_TRUE(one.push(frame_of(4, 'a')));
  one.clear_pending();
  EXPECT_TRUE(one.empty()) << "nothing was being written";
  EXPECT_EQ(one.bytes(), 0u);

  // Wrap the ring, then clear: the right frame survives and the freed
  // frames are released.
  OutboundQueue q(1 << 20);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.push(numbered(i)));
  write_one(q);
  write_one(q);
  auto watched = numbered(4);
  ASSERT_TRUE(q.push(watched));
  ASSERT_TRUE(q.push(numbered(5)));
  std::string being_written;
  ASSERT_EQ(q.begin_write(1, 100, [&](const std::string& f) { being_written = f; }), 1u);
  q.clear_pending();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(being_written, "2");
  EXPECT_EQ(q.bytes(), 1u);
  EXPECT_EQ(watched.use_count(), 1);
  q.end_write();
  ASSERT_TRUE(q.push(numbered(6)));
  EXPECT_EQ(write_one(q), "6") << "the queue goes on after a clear";
}

TEST(OutboundQueue, DrainingAfterABurstStartsOver) {
  // Releasing a large idle ring must not lose the queue's state.
  OutboundQueue q(1 << 20);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(q.push(numbered(i)));
  for (int i = 0; i < 100; ++i) write_one(q);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.push(numbered(i)));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(write_one(q), std::to_string(i));
}

TEST(OutboundQueue, SharesFramesWithoutCopying) {
  OutboundQueue a(100), b(100);
  auto f = frame_of(10);
  ASSERT_TRUE(a.push(f));
  ASSERT_TRUE(b.push(f));
  EXPECT_EQ(f.use_count(), 3);
  EXPECT_EQ(write_one_at(a), write_one_at(b));
  EXPECT_EQ(f.use_count(), 1) << "a popped frame is released";
}

TEST(OutboundQueue, AnUncappedWelcomeLeavesTheCapToWhatFollows) {
  OutboundQueue q(100);
  ASSERT_TRUE(q.push(frame_of(30)));  // an early error ack
  q.push_uncapped(frame_of(1000));    // a Welcome ten times the cap
  EXPECT_EQ(q.bytes(), 1030u) << "bytes() counts everything, for pacing";
  ASSERT_TRUE(q.push(frame_of(70))) << "30 + 70 capped bytes fit";
  EXPECT_FALSE(q.push(frame_of(1))) << "the cap still holds for the rest";
  write_one(q);
  write_one(q);  // the Welcome is written: its exemption goes with it
  EXPECT_EQ(q.bytes(), 70u);
  ASSERT_TRUE(q.push(frame_of(30)));
  EXPECT_FALSE(q.push(frame_of(1)));
}

TEST(OutboundQueue, ClearingPendingDropsTheUncappedWelcomeToo) {
  OutboundQueue q(100);
  ASSERT_TRUE(q.push(frame_of(50)));
  ASSERT_EQ(q.begin_write(1, 100, [](const std::string&) {}), 1u);
  q.push_uncapped(frame_of(1000));
  q.clear_pending();  // a close: only the frame being written stays
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 50u);
  ASSERT_TRUE(q.push(frame_of(50)));
  EXPECT_FALSE(q.push(frame_of(1))) << "no exemption left over";
}

// Gathered writes: the frames at the front, in order, within the counts.
TEST(OutboundQueue, AWriteGathersFramesInOrderWithinItsBudget) {
  OutboundQueue q(1 << 20);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.push(numbered(i)));
  std::string gathered;
  EXPECT_EQ(q.begin_write(4, 1 << 20, [&](const std::string& f) { gathered += f; }), 4u);
  EXPECT_EQ(gathered, "0123") << "at most max_frames";
  EXPECT_EQ(q.begin_write(4, 1 << 20, [&](const std::string&) { ADD_FAILURE(); }), 0u)
      << "one write open at a time";
  EXPECT_EQ(q.writing(), 4u);
  EXPECT_EQ(q.bytes(), 10u) << "frames being written still count";
  q.end_write();
  EXPECT_EQ(q.size(), 6u);
  EXPECT_EQ(q.bytes(), 6u);
  gathered.clear();
  EXPECT_EQ(q.begin_write(64, 3, [&](const std::string& f) { gathered += f; }), 3u);
  EXPECT_EQ(gathered, "456") << "no more than max_bytes in all";
  q.end_write();
  gathered.clear();
  EXPECT_EQ(q.begin_write(64, 1 << 20, [&](const std::string& f) { gathered += f; }), 3u);
  EXPECT_EQ(gathered, "789");
  q.end_write();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.begin_write(64, 1 << 20, [&](const std::string&) { ADD_FAILURE(); }), 0u);
}

TEST(OutboundQueue, AFrameLargerThanTheWriteBudgetGoesAlone) {
  OutboundQueue q(1 << 20);
  ASSERT_TRUE(q.push(frame_of(500)));
  ASSERT_TRUE(q.push(frame_of(1)));
  std::size_t bytes = 0;
  EXPECT_EQ(q.begin_write(64, 100, [&](const std::string& f) { bytes += f.size(); }), 1u);
  EXPECT_EQ(bytes, 500u) << "or it would never be written";
  q.end_write();
  EXPECT_EQ(q.size(), 1u);
}

TEST(OutboundQueue, FramesPushedDuringAWriteWaitForTheNext) {
  OutboundQueue q(1 << 20);
  ASSERT_TRUE(q.push(numbered(1)));
  ASSERT_EQ(q.begin_write(64, 1 << 20, [](const std::string&) {}), 1u);
  ASSERT_TRUE(q.push(numbered(2)));
  q.end_write();
  EXPECT_EQ(q.size(), 1u) << "end_write drops only what was written";
  EXPECT_EQ(write_one(q), "2");
}

}  // namespace
}  // namespace panelwire::core
