// The bounded structures a session relies on: its outbound queue, the
// cursor that keeps live events and backlog in one order, and the panel's
// command window.

#include <gtest/gtest.h>

#include "command_window.h"
#include "event_cursor.h"
#include "outbound_queue.h"

namespace panelwire::core {
namespace {

Frame frame_of(std::size_t bytes, char fill = 'x') {
  return std::make_shared<const std::string>(bytes, fill);
}

EventPtr event_of(std::uint64_t seq) {
  v1::Event e;
  e.set_seq(seq);
  e.mutable_chat_posted()->set_text("m");
  return make_event("p", std::move(e));
}

TEST(OutboundQueue, KeepsOrderAndCountsBytes) {
  OutboundQueue q(100);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(q.push(frame_of(5, static_cast<char>('a' + i))));
  EXPECT_EQ(q.size(), 20u);
  EXPECT_EQ(q.bytes(), 100u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_FALSE(q.empty());
    EXPECT_EQ((*q.front())[0], static_cast<char>('a' + i)) << "FIFO across ring growth";
    q.pop();
  }
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(OutboundQueue, RefusesPastTheByteCapExactly) {
  OutboundQueue q(10);
  ASSERT_TRUE(q.push(frame_of(6)));
  EXPECT_TRUE(q.push(frame_of(4))) << "exactly at the cap fits";
  EXPECT_FALSE(q.push(frame_of(1))) << "one byte over does not";
  EXPECT_EQ(q.bytes(), 10u) << "a refused frame leaves the queue as it was";
  q.pop();
  EXPECT_TRUE(q.push(frame_of(6)));
}

TEST(OutboundQueue, OneOversizedFrameFitsAnEmptyQueue) {
  OutboundQueue q(10);
  EXPECT_TRUE(q.push(frame_of(50))) << "or a big frame would wedge the session";
  EXPECT_FALSE(q.push(frame_of(1)));
}

TEST(OutboundQueue, ClearPendingKeepsTheFrameBeingWritten) {
  OutboundQueue q(100);
  ASSERT_TRUE(q.push(frame_of(3, 'a')));
  ASSERT_TRUE(q.push(frame_of(4, 'b')));
  ASSERT_TRUE(q.push(frame_of(5, 'c')));
  q.clear_pending();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(q.bytes(), 3u);
  EXPECT_EQ((*q.front())[0], 'a');
}

TEST(OutboundQueue, SharesFramesWithoutCopying) {
  OutboundQueue a(100), b(100);
  auto f = frame_of(10);
  ASSERT_TRUE(a.push(f));
  ASSERT_TRUE(b.push(f));
  EXPECT_EQ(a.front().get(), b.front().get());
  EXPECT_EQ(f.use_count(), 3);
  a.pop();
  b.pop();
  EXPECT_EQ(f.use_count(), 1) << "a popped frame is released";
}

TEST(EventCursor, DeliversEachSeqOnceInOrder) {
  EventCursor c(1 << 20);
  EXPECT_EQ(c.on_live(event_of(1)), EventCursor::Verdict::deliver);
  EXPECT_EQ(c.on_live(event_of(2)), EventCursor::Verdict::deliver);
  EXPECT_EQ(c.on_live(event_of(2)), EventCursor::Verdict::skip);
  EXPECT_EQ(c.on_live(event_of(1)), EventCursor::Verdict::skip);
  EXPECT_EQ(c.on_live(event_of(4)), EventCursor::Verdict::gap);
  EXPECT_EQ(c.last(), 2u);
}

TEST(EventCursor, HoldsLiveEventsUntilTheBacklogIsIn) {
  EventCursor c(1 << 20);
  c.begin_catchup();
  EXPECT_EQ(c.on_live(event_of(5)), EventCursor::Verdict::held);
  EXPECT_EQ(c.on_live(event_of(6)), EventCursor::Verdict::held);
  EXPECT_EQ(c.on_live(event_of(7)), EventCursor::Verdict::held);
  // The backlog covered up to 5: 5 is skipped, 6 and 7 delivered.
  auto held = c.caught_up(5);
  ASSERT_EQ(held.size(), 3u);
  std::vector<EventCursor::Verdict> verdicts;
  for (const auto& e : held) verdicts.push_back(c.on_live(e));
  EXPECT_EQ(verdicts, (std::vector<EventCursor::Verdict>{EventCursor::Verdict::skip,
                                                         EventCursor::Verdict::deliver,
                                                         EventCursor::Verdict::deliver}));
  EXPECT_EQ(c.last(), 7u);
  EXPECT_FALSE(c.catching_up());
}

TEST(EventCursor, HoldingTooMuchIsAnOverflow) {
  auto e = event_of(1);
  EventCursor c(e->weight() * 2);
  c.begin_catchup();
  EXPECT_EQ(c.on_live(event_of(1)), EventCursor::Verdict::held);
  EXPECT_EQ(c.on_live(event_of(2)), EventCursor::Verdict::held);
  EXPECT_EQ(c.on_live(event_of(3)), EventCursor::Verdict::overflow);
}

TEST(CommandWindow, RemembersUpToItsCapacity) {
  CommandWindow w(3);
  w.remember("a", 1);
  w.remember("b", 2);
  w.remember("c", 3);
  EXPECT_EQ(w.find("a"), 1u);
  w.remember("d", 4);
  EXPECT_FALSE(w.find("a").has_value()) << "the oldest goes first";
  EXPECT_EQ(w.find("d"), 4u);
  EXPECT_EQ(w.size(), 3u);

  CommandWindow off(0);
  off.remember("a", 1);
  EXPECT_FALSE(off.find("a").has_value());
}

}  // namespace
}  // namespace panelwire::core
