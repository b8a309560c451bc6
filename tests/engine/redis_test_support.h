#pragma once
// What the Redis tests share: a redis-server of their own, an io thread,
// and connections started on it.

#include <future>

#include <gtest/gtest.h>
#include <boost/asio/post.hpp>

#include "engine_harness.h"
#include "redis_connection.h"
#include "redis_process.h"

namespace panelwire::engine {

using namespace std::chrono_literals;

// Runs `f` on the io thread and waits for the value it hands to its callback.
template <class T, class F>
T on(IoThread& io, F f) {
  std::promise<T> p;
  boost::asio::post(io.executor(), [&] { f([&](T v) { p.set_value(std::move(v)); }); });
  return p.get_future().get();
}

class RedisTest : public ::testing::Test {
 protected:
  // A started connection, ready when this returns; `on_state` hears every
  // later change too.
  std::shared_ptr<RedisConnection> connect(std::function<void(bool)> on_state = {},
                                           std::chrono::milliseconds reply_timeout = 5s) {
    RedisConnection::Options o;
    o.reconnect_min = 20ms;
    o.reconnect_max = 200ms;
    o.reply_timeout = reply_timeout;
    // Shared: the callback outlives this function.
    auto up = std::make_shared<std::promise<void>>();
    auto ready_once = up->get_future();
    o.on_state = [up, told = false, on_state](bool ready) mutable {
      if (ready && !told) {
        told = true;
        up->set_value();
      }
      if (on_state) on_state(ready);
    };
    auto c = RedisConnection::create(io_.executor(), *parse_redis_url(redis_.url()), o);
    boost::asio::post(io_.executor(), [c] { c->start(); });
    EXPECT_EQ(ready_once.wait_for(5s), std::future_status::ready);
    made_.push_back(c);
    return c;
  }
  core::Result<RedisValue> run(const std::shared_ptr<RedisConnection>& c,
                               std::vector<std::string> argv) {
    return on<core::Result<RedisValue>>(io_, [&](auto done) { c->command(argv, done); });
  }
  // Stops `c` and waits until it has taken the loss (its last callbacks:
  // what waited failed, on_state told), so none runs after the test's
  // locals it may point to are gone.
  void stop(const std::shared_ptr<RedisConnection>& c) {
    on<bool>(io_, [&](auto done) {
      c->stop();
      done(true);
    });
    for (int i = 0; i < 500 && on<bool>(io_, [&](auto done) { done(c->ready()); }); ++i)
      std::this_thread::sleep_for(10ms);
  }
  // Every connection made is let go on the io thread, where its callbacks
  // run: the last reference dropped on the test's thread (by an object
  // holding it, at the end of a test) would race with them.
  void TearDown() override {
    for (auto& c : made_) stop(c);
    on<bool>(io_, [&](auto done) {
      made_.clear();
      done(true);
    });
  }

  RedisProcess redis_;
  IoThread io_;
  // Overflow rule: none needed, a test makes a handful.
  std::vector<std::shared_ptr<RedisConnection>> made_;
};

}  // namespace panelwire::engine
