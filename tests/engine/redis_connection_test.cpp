// The Redis connection under Asio against a real redis-server: commands,
// binary-safe arguments, pub/sub on a dedicated connection, and riding out
// a Redis crash.

#include <signal.h>

#include <atomic>
#include <mutex>

#include "redis_test_support.h"

namespace panelwire::engine {
namespace {

using RedisConnectionTest = RedisTest;

TEST(RedisUrl, Parses) {
  auto e = parse_redis_url("redis://:pw@10.0.0.5:7000/3");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->host, "10.0.0.5");
  EXPECT_EQ(e->port, 7000);
  EXPECT_EQ(e->password, "pw");
  EXPECT_EQ(e->db, 3);
  EXPECT_EQ(parse_redis_url("redis://localhost")->port, 6379);
  for (auto bad : {"http://x:1", "redis://", "redis://h:1/x", "nonsense"})
    EXPECT_EQ(parse_redis_url(bad).error().code, v1::INVALID_ARGUMENT) << bad;
}

TEST_F(RedisConnectionTest, CommandsAreBinarySafeAndErrorsAreTyped) {
  auto c = connect();
  const std::string value("a\0b\r\n", 5);
  ASSERT_TRUE(run(c, {"SET", "k", value}).has_value());
  auto got = run(c, {"GET", "k"});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->type, RedisValue::Type::string);
  EXPECT_EQ(got->str, value);
  EXPECT_EQ(run(c, {"INCR", "n"})->integer, 1);
  EXPECT_EQ(run(c, {"GET", "missing"})->type, RedisValue::Type::nil);
  auto list = run(c, {"MGET", "k", "missing"});
  ASSERT_EQ(list->elements.size(), 2u);
  auto err = run(c, {"INCR", "k"});
  ASSERT_FALSE(err.has_value());
  EXPECT_EQ(err.error().code, v1::INTERNAL);
  stop(c);
}

TEST_F(RedisConnectionTest, PubSubDeliversEveryMessageInOrder) {
  auto pub = connect(), sub = connect();
  std::mutex m;
  std::vector<std::string> got;
  auto subscribed = on<core::Result<RedisValue>>(io_, [&](auto done) {
    sub->subscribe(
        "panel:{p}:events",
        [&](const std::string&, const std::string& payload) {
          std::lock_guard lock(m);
          got.push_back(payload);
        },
        done);
  });
  ASSERT_TRUE(subscribed.has_value());
  for (int i = 0; i < 200; ++i)
    ASSERT_EQ(run(pub, {"PUBLISH", "panel:{p}:events", std::to_string(i)})->integer, 1);
  ASSERT_TRUE(run(pub, {"PING"}).has_value());
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard lock(m);
      if (got.size() == 200) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::lock_guard lock(m);
  ASSERT_EQ(got.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(got[i], std::to_string(i));
  stop(pub);
  stop(sub);
}

TEST_F(RedisConnectionTest, UnsubscribeStopsDeliveryAndAllowsSubscribingAgain) {
  auto pub = connect(), sub = connect();
  // Messages "c" and "d" are published after Redis confirmed the
  // unsubscribe: the first subscription must never see them.
  std::atomic<int> first_late = 0, second = 0;
  auto subscribe = [&](RedisConnection::Message handler) {
    return on<core::Result<RedisValue>>(
        io_, [&](auto done) { sub->subscribe("ch", std::move(handler), done); });
  };
  ASSERT_TRUE(subscribe([&](auto&, const std::string& payload) {
                if (payload == "c" || payload == "d") first_late++;
              }).has_value());
  auto twice = on<core::Result<RedisValue>>(io_, [&](auto done) {
    sub->subscribe(
        "ch", [](auto&, auto&) {}, done);
  });
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, v1::INVALID_ARGUMENT);
  EXPECT_EQ(run(pub, {"PUBLISH", "ch", "a"})->integer, 1);

  boost::asio::post(io_.executor(), [&] { sub->unsubscribe("ch"); });
  for (int i = 0; i < 100 && run(pub, {"PUBLISH", "ch", "b"})->integer != 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(run(pub, {"PUBLISH", "ch", "c"})->integer, 0) << "Redis no longer delivers to us";

  ASSERT_TRUE(subscribe([&](auto&, auto&) { second++; }).has_value());
  EXPECT_EQ(run(pub, {"PUBLISH", "ch", "d"})->integer, 1);
  for (int i = 0; i < 100 && second == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(first_late, 0) << "nothing after the unsubscribe";
  EXPECT_EQ(second, 1);
  stop(pub);
  stop(sub);
}

TEST_F(RedisConnectionTest, SubscribingAgainBeforeTheUnsubscribeIsConfirmedTakesHold) {
  // A panel's last client leaves and a new one joins at once: the channel is
  // unsubscribed and subscribed again in one breath.
  auto pub = connect(), sub = connect();
  std::atomic<int> old_got = 0, new_got = 0, confirmed = 0;
  ASSERT_TRUE((on<core::Result<RedisValue>>(io_, [&](auto done) {
                sub->subscribe(
                    "again", [&](auto&, auto&) { old_got++; }, done);
              })).has_value());
  boost::asio::post(io_.executor(), [&] {
    sub->unsubscribe("again");
    sub->subscribe(
        "again", [&](auto&, auto&) { new_got++; },
        [&](core::Result<RedisValue> r) {
          if (r) confirmed++;
        });
  });
  for (int i = 0; i < 200 && confirmed == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(confirmed, 1) << "the new subscription was confirmed";
  EXPECT_EQ(run(pub, {"PUBLISH", "again", "x"})->integer, 1);
  for (int i = 0; i < 100 && new_got == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(new_got, 1);
  EXPECT_EQ(old_got, 0);
  stop(pub);
  stop(sub);
}

TEST_F(RedisConnectionTest, ARedisThatStopsAnsweringIsDroppedAndTakenUpAgain) {
  std::atomic<int> lost = 0;
  auto c = connect([&](bool ready) { lost += ready ? 0 : 1; }, 300ms);
  ASSERT_TRUE(run(c, {"SET", "k", "v"}).has_value());
  // Paused, Redis keeps the socket open and answers nothing.
  ::kill(redis_.pid(), SIGSTOP);
  std::promise<core::Result<RedisValue>> p;
  boost::asio::post(io_.executor(), [&] {
    c->command({"GET", "k"}, [&](core::Result<RedisValue> r) { p.set_value(std::move(r)); });
  });
  auto answered = p.get_future();
  const bool in_time = answered.wait_for(5s) == std::future_status::ready;
  ::kill(redis_.pid(), SIGCONT);
  ASSERT_TRUE(in_time) << "a command waited on a silent Redis past its reply timeout";
  auto r = answered.get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::UNAVAILABLE);
  // hiredis fails what was owed before it reports the connection lost.
  for (int i = 0; i < 200 && lost == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_GE(lost.load(), 1) << "the connection was reported lost";
  // Reconnected once Redis answers again.
  core::Result<RedisValue> back = core::fail(v1::UNAVAILABLE, "not yet");
  for (int i = 0; i < 200 && !back; ++i) {
    back = run(c, {"GET", "k"});
    if (!back) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->str, "v");
  stop(c);
}

TEST_F(RedisConnectionTest, ACrashedRedisIsReconnectedAndResubscribed) {
  std::atomic<int> ups = 0, downs = 0;
  auto sub = connect([&](bool ready) { (ready ? ups : downs)++; });
  std::atomic<int> received = 0, subscribed = 0;
  boost::asio::post(io_.executor(), [&] {
    sub->subscribe(
        "ch", [&](auto&, auto&) { received++; },
        [&](core::Result<RedisValue> r) {
          if (r) subscribed++;
        });
  });
  for (int i = 0; i < 200 && subscribed == 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(subscribed, 1);

  redis_.kill();
  for (int i = 0; i < 200 && downs == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(downs, 1) << "the loss is noticed";
  auto refused = run(sub, {"PING"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, v1::UNAVAILABLE) << "a command while down fails at once";

  redis_.restart();
  for (int i = 0; i < 300 && ups < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(ups, 2) << "reconnected with backoff";
  for (int i = 0; i < 300 && subscribed < 2; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(subscribed, 2) << "told again when the resubscription took hold";
  auto pub = connect();
  EXPECT_EQ(run(pub, {"PUBLISH", "ch", "x"})->integer, 1);
  for (int i = 0; i < 100 && received == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(received, 1) << "the subscription came back";
  stop(pub);
  stop(sub);
}

}  // namespace
}  // namespace panelwire::engine
