// The cursor that merges live events and the backlog into one stream: each
// seq delivered once, in order, with gaps and overflow reported.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "event_cursor.h"

namespace panelwire::core {
namespace {

using Verdict = EventCursor::Verdict;

EventPtr event_of(std::uint64_t seq, std::size_t text_bytes = 1) {
  v1::Event e;
  e.set_seq(seq);
  e.mutable_chat_posted()->set_text(std::string(text_bytes, 'm'));
  return make_event("p", std::move(e));
}

std::vector<Verdict> replay(EventCursor& c, const std::vector<EventPtr>& events) {
  std::vector<Verdict> out;
  for (const auto& e : events) out.push_back(c.on_live(e));
  return out;
}

std::vector<std::uint64_t> seqs(const std::vector<EventPtr>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e->seq());
  return out;
}

TEST(EventCursor, StartsAtZeroAndLive) {
  EventCursor c(100);
  EXPECT_EQ(c.last(), 0u);
  EXPECT_FALSE(c.catching_up());
  c.begin_catchup();
  EXPECT_TRUE(c.catching_up());
}

TEST(EventCursor, DeliversEachSeqOnceInOrder) {
  EventCursor c(1 << 20);
  EXPECT_EQ(c.on_live(event_of(1)), Verdict::deliver);
  EXPECT_EQ(c.on_live(event_of(2)), Verdict::deliver);
  EXPECT_EQ(c.on_live(event_of(2)), Verdict::skip);
  EXPECT_EQ(c.on_live(event_of(1)), Verdict::skip);
  EXPECT_EQ(c.on_live(event_of(4)), Verdict::gap);
  EXPECT_EQ(c.last(), 2u);
}

TEST(EventCursor, AGapChangesNothing) {
  // After a gap the position stays put, so the missing seq still fits.
  EventCursor c(1 << 20);
  EXPECT_EQ(c.on_live(event_of(2)), Verdict::gap) << "seq 1 never came";
  EXPECT_EQ(c.last(), 0u);
  EXPECT_EQ(c.on_live(event_of(1)), Verdict::deliver);
  EXPECT_EQ(c.on_live(event_of(2)), Verdict::deliver);
  EXPECT_EQ(c.on_live(event_of(3)), Verdict::deliver);
  EXPECT_EQ(c.last(), 3u);
}

TEST(EventCursor, ALongRunIsDeliveredWithoutLossOrRepeat) {
  EventCursor c(1 << 20);
  for (std::uint64_t s = 1; s <= 1000; ++s) {
    ASSERT_EQ(c.on_live(event_of(s)), Verdict::deliver) << s;
    ASSERT_EQ(c.on_live(event_of(s)), Verdict::skip) << s;
  }
  EXPECT_EQ(c.last(), 1000u);
}

TEST(EventCursor, HoldsLiveEventsUntilTheBacklogIsIn) {
  EventCursor c(1 << 20);
  c.begin_catchup();
  EXPECT_EQ(c.on_live(event_of(5)), Verdict::held);
  EXPECT_EQ(c.on_live(event_of(6)), Verdict::held);
  EXPECT_EQ(c.on_live(event_of(7)), Verdict::held);
  // The backlog covered up to 5: 5 is skipped, 6 and 7 delivered.
  auto held = c.caught_up(5);
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(replay(c, held),
            (std::vector<Verdict>{Verdict::skip, Verdict::deliver, Verdict::deliver}));
  EXPECT_EQ(c.last(), 7u);
  EXPECT_FALSE(c.catching_up());
}

TEST(EventCursor, HeldEventsComeBackInArrivalOrder) {
  EventCursor c(1 << 20);
  c.begin_catchup();
  std::vector<EventPtr> sent = {event_of(3), event_of(4), event_of(5), event_of(6)};
  for (const auto& e : sent) ASSERT_EQ(c.on_live(e), Verdict::held);
  auto held = c.caught_up(2);
  ASSERT_EQ(held.size(), sent.size());
  for (std::size_t i = 0; i < held.size(); ++i)
    EXPECT_EQ(held[i].get(), sent[i].get()) << "the same shared events, not copies";
  EXPECT_EQ(replay(c, held), std::vector<Verdict>(4, Verdict::deliver));
  EXPECT_EQ(c.last(), 6u);
}

TEST(EventCursor, ABacklogThatCoversEverythingHeldSkipsItAll) {
  EventCursor c(1 << 20);
  c.begin_catchup();
  c.on_live(event_of(4));
  c.on_live(event_of(5));
  auto held = c.caught_up(9);
  EXPECT_EQ(c.last(), 9u);
  EXPECT_EQ(replay(c, held), std::vector<Verdict>(2, Verdict::skip));
  EXPECT_EQ(c.last(), 9u);
  EXPECT_EQ(c.on_live(event_of(10)), Verdict::deliver);
}

TEST(EventCursor, HeldEventsPastTheBacklogAreAGap) {
  // The backlog ended at 3 but the first held event is 6: 4 and 5 are lost
  // unless the session fetches from last() again.
  EventCursor c(1 << 20);
  c.begin_catchup();
  c.on_live(event_of(6));
  c.on_live(event_of(7));
  auto held = c.caught_up(3);
  EXPECT_EQ(replay(c, held), (std::vector<Verdict>{Verdict::gap, Verdict::gap}));
  EXPECT_EQ(c.last(), 3u);
}

TEST(EventCursor, NothingHeldIsFine) {
  EventCursor c(1 << 20);
  c.begin_catchup();
  EXPECT_TRUE(c.caught_up(4).empty());
  EXPECT_EQ(c.last(), 4u);
  EXPECT_FALSE(c.catching_up());
  EXPECT_EQ(c.on_live(event_of(5)), Verdict::deliver);
}

TEST(EventCursor, HoldingTooMuchIsAnOverflow) {
  auto e = event_of(1);
  EventCursor c(e->wire_bytes() * 2);
  c.begin_catchup();
  EXPECT_EQ(c.on_live(event_of(1)), Verdict::held);
  EXPECT_EQ(c.on_live(event_of(2)), Verdict::held);
  EXPECT_EQ(c.on_live(event_of(3)), Verdict::overflow);
}

TEST(EventCursor, TheHoldLimitIsInclusiveAndCountsBytes) {
  auto small = event_of(1)->wire_bytes();
  {
    EventCursor exact(small * 2);
    exact.begin_catchup();
    EXPECT_EQ(exact.on_live(event_of(1)), Verdict::held);
    EXPECT_EQ(exact.on_live(event_of(2)), Verdict::held) << "exactly at the limit";
  }
  {
    EventCursor under(small * 2 - 1);
    under.begin_catchup();
    EXPECT_EQ(under.on_live(event_of(1)), Verdict::held);
    EXPECT_EQ(under.on_live(event_of(2)), Verdict::overflow) << "one byte short";
  }
  {
    // One big event outweighs several small ones.
    EventCursor c(small * 3);
    c.begin_catchup();
    EXPECT_EQ(c.on_live(event_of(1, small * 3)), Verdict::overflow);
  }
}

TEST(EventCursor, AnOverflowingEventIsNotHeld) {
  auto w = event_of(1)->wire_bytes();
  EventCursor c(w);
  c.begin_catchup();
  ASSERT_EQ(c.on_live(event_of(1)), Verdict::held);
  ASSERT_EQ(c.on_live(event_of(2)), Verdict::overflow);
  EXPECT_EQ(seqs(c.caught_up(0)), (std::vector<std::uint64_t>{1}));
}

TEST(EventCursor, EachCatchupStartsWithAnEmptyHold) {
  // A second catch-up (after a gap) gets the whole budget again.
  auto w = event_of(1)->wire_bytes();
  EventCursor c(w * 2);
  c.begin_catchup();
  c.on_live(event_of(1));
  c.on_live(event_of(2));
  EXPECT_EQ(replay(c, c.caught_up(0)), (std::vector<Verdict>{Verdict::deliver, Verdict::deliver}));
  EXPECT_EQ(c.on_live(event_of(4)), Verdict::gap);
  c.begin_catchup();
  EXPECT_EQ(c.on_live(event_of(4)), Verdict::held);
  EXPECT_EQ(c.on_live(event_of(5)), Verdict::held);
  auto held = c.caught_up(3);
  EXPECT_EQ(seqs(held), (std::vector<std::uint64_t>{4, 5}));
  EXPECT_EQ(replay(c, held), (std::vector<Verdict>{Verdict::deliver, Verdict::deliver}));
  EXPECT_EQ(c.last(), 5u);
}

}  // namespace
}  // namespace panelwire::core
