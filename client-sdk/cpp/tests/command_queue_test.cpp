#include "panelwire/client/command_queue.h"

#include <gtest/gtest.h>

#include "panelwire/client/codec.h"

namespace panelwire::client {
namespace {

v1::ClientMessage chat(const std::string& id) {
  v1::ClientMessage m;
  m.set_id(id);
  m.mutable_send_chat()->set_text("t" + id);
  return m;
}

v1::Ack ok(const std::string& id, std::uint64_t seq) {
  v1::Ack a;
  a.set_id(id);
  a.set_seq(seq);
  return a;
}

TEST(CommandQueue, ResendsUnackedInOrderAndCompletesEachOnce) {
  CommandQueue q(10);
  std::vector<std::string> done;
  for (auto id : {"a", "b", "c"})
    ASSERT_TRUE(q.add(chat(id), [&done](const v1::Ack& a) { done.push_back(a.id()); }));
  EXPECT_TRUE(q.complete(ok("b", 2)));
  EXPECT_FALSE(q.complete(ok("b", 2))) << "a second ack for the same id is ignored";
  EXPECT_FALSE(q.complete(ok("zzz", 9)));

  std::vector<std::string> resend;
  q.for_each([&](const v1::ClientMessage& m) { resend.push_back(m.id()); });
  EXPECT_EQ(resend, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(done, (std::vector<std::string>{"b"}));
}

TEST(CommandQueue, RefusesPastItsBoundAndDuplicateIds) {
  CommandQueue q(2);
  EXPECT_TRUE(q.add(chat("a"), nullptr));
  EXPECT_FALSE(q.add(chat("a"), nullptr)) << "an id already pending";
  EXPECT_TRUE(q.add(chat("b"), nullptr));
  EXPECT_FALSE(q.add(chat("c"), nullptr)) << "full";
  q.complete(ok("a", 1));
  EXPECT_TRUE(q.add(chat("c"), nullptr));
  EXPECT_EQ(q.size(), 2u);
}

TEST(CommandQueue, FailAllAnswersEveryCommandWithUnavailable) {
  CommandQueue q(10);
  std::vector<v1::Ack> acks;
  for (auto id : {"a", "b"})
    ASSERT_TRUE(q.add(chat(id), [&](const v1::Ack& a) { acks.push_back(a); }));
  q.fail_all("gone");
  ASSERT_EQ(acks.size(), 2u);
  for (const auto& a : acks) {
    EXPECT_EQ(a.error().code(), v1::UNAVAILABLE);
    EXPECT_EQ(a.error().message(), "gone");
  }
  EXPECT_TRUE(q.empty());
}

TEST(CommandQueue, HandlerMayAddCommands) {
  CommandQueue q(10);
  ASSERT_TRUE(q.add(chat("a"), [&](const v1::Ack&) { EXPECT_TRUE(q.add(chat("b"), nullptr)); }));
  q.complete(ok("a", 1));
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
}  // namespace panelwire::client
