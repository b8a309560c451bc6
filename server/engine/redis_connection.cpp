#include "redis_connection.h"

#include <sys/socket.h>

#include <algorithm>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "redis_asio_adapter.h"

namespace panelwire::engine {

namespace {

RedisValue copy_of(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::integer;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      v.type = RedisValue::Type::string;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = RedisValue::Type::status;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = RedisValue::Type::error;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::array;
      v.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(copy_of(r->element[i]));
      break;
    default:
      break;
  }
  return v;
}

core::Failure lost_reply() {
  return core::fail(v1::UNAVAILABLE, "the connection to Redis was lost");
}

}  // namespace

struct RedisConnection::Pending {
  Done done;
  // For the round trip's figure.
  std::chrono::steady_clock::time_point sent = std::chrono::steady_clock::now();
};

struct RedisConnection::Subscription {
  std::string channel;
  Message on_message;
  Done on_subscribed;
  bool active = true;
};

std::shared_ptr<RedisConnection> RedisConnection::create(boost::asio::any_io_executor ex,
                                                         RedisEndpoint endpoint, Options opts) {
  return std::shared_ptr<RedisConnection>(
      new RedisConnection(std::move(ex), std::move(endpoint), std::move(opts)));
}

RedisConnection::RedisConnection(boost::asio::any_io_executor ex, RedisEndpoint endpoint,
                                 Options opts)
    : ex_(std::move(ex)),
      endpoint_(std::move(endpoint)),
      opts_(std::move(opts)),
      retry_(ex_),
      watchdog_(ex_) {}

RedisConnection::~RedisConnection() {
  if (ac_) {
    // Callbacks fired while freeing must not reach this half-destroyed object.
    ac_->data = nullptr;
    redisAsyncFree(ac_);
  }
}

void RedisConnection::start() {
  stopped_ = false;
  if (!ac_) connect();
}

void RedisConnection::stop() {
  stopped_ = true;
  retry_.cancel();
  watchdog_.cancel();
  // Not redisAsyncDisconnect, which waits for every reply owed.
  if (ac_) drop();
}

void RedisConnection::connect() {
  ac_ = redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port);
  if (!ac_ || ac_->err) {
    spdlog::warn("event=redis_connect_failed host={}:{} error=\"{}\"", endpoint_.host,
                 endpoint_.port, ac_ ? ac_->errstr : "out of memory");
    if (ac_) redisAsyncFree(ac_);
    ac_ = nullptr;
    return lost();
  }
  ac_->data = this;
  attach_asio(ac_, ex_);
  redisAsyncSetConnectCallback(ac_, &RedisConnection::connect_trampoline);
  redisAsyncSetDisconnectCallback(ac_, &RedisConnection::disconnect_trampoline);
}

void RedisConnection::connect_trampoline(const redisAsyncContext* ac, int status) {
  if (auto* self = static_cast<RedisConnection*>(ac->data)) {
    try {
      self->on_connected(status);
    } catch (const std::exception& e) {
      spdlog::error("event=redis_callback_failed error=\"{}\"", e.what());
    }
  }
}

void RedisConnection::disconnect_trampoline(const redisAsyncContext* ac, int status) {
  if (auto* self = static_cast<RedisConnection*>(ac->data)) {
    try {
      self->on_disconnected(status);
    } catch (const std::exception& e) {
      spdlog::error("event=redis_callback_failed error=\"{}\"", e.what());
    }
  }
}

void RedisConnection::on_connected(int status) {
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    spdlog::warn("event=redis_connect_failed host={}:{} error=\"{}\"", endpoint_.host,
                 endpoint_.port, ac_ && ac_->errstr[0] ? ac_->errstr : "refused");
    ac_ = nullptr;
    return lost();
  }
  // Pipelined ahead of everything else on this connection.
  // `code_only`: log the reply's code alone, as for AUTH, whose refusal by a
  // Redis that does not know the command echoes its arguments.
  auto check = [weak = weak_from_this()](const char* what, bool code_only = false) {
    return [weak, what, code_only](core::Result<RedisValue> r) {
      auto self = weak.lock();
      if (!r && self && self->ac_) {
        // error() answers a copy: keep it alive while `m` looks into it.
        const auto failure = r.error();
        std::string_view m = failure.message;
        if (code_only) {
          if (m.starts_with("redis: ")) m.remove_prefix(7);
          m = m.substr(0, m.find(' '));
        }
        spdlog::error("event=redis_{}_failed error=\"{}\"", what, m);
        redisAsyncDisconnect(self->ac_);
      }
    };
  };
  if (!endpoint_.password.empty()) command({"AUTH", endpoint_.password}, check("auth", true));
  if (endpoint_.db != 0) command({"SELECT", std::to_string(endpoint_.db)}, check("select"));
  // The old context is gone, and with it hiredis's references to these.
  retired_.clear();
  probe();
}

void RedisConnection::probe() {
  // A Redis that restarted accepts connections while it reads its AOF back,
  // and answers LOADING until it is done: ready only once PING succeeds.
  // Through command()'s watchdog too: a Redis that accepted the connection
  // and then never answers is dropped and tried again.
  auto ping =
      std::make_unique<Pending>(Pending{[weak = weak_from_this()](core::Result<RedisValue> r) {
        auto self = weak.lock();
        if (!self || !self->ac_) return;
        if (r) return self->became_ready();
        // Lost meanwhile: the reconnect takes over.
        if (r.error().code == v1::UNAVAILABLE) return;
        self->retry_.expires_after(self->opts_.reconnect_min);
        self->retry_.async_wait([weak](boost::system::error_code ec) {
          auto self = weak.lock();
          if (!ec && self && self->ac_ && !self->ready_) self->probe();
        });
      }});
  if (!send({"PING"}, &RedisConnection::on_reply, ping.get())) return;  // being dropped
  ping.release();
  owe_reply();
}

void RedisConnection::became_ready() {
  for (auto& [channel, sub] : subscriptions_) {
    std::vector<std::string> argv = {"SUBSCRIBE", channel};
    send(argv, &RedisConnection::on_message, sub.get());
  }
  ready_ = true;
  if (connects_++ > 0) ++reconnects_;
  backoff_ = std::chrono::milliseconds(0);
  spdlog::info("event=redis_connected host={}:{}", endpoint_.host, endpoint_.port);
  if (opts_.on_state) opts_.on_state(true);
}

void RedisConnection::on_disconnected(int status) {
  ac_ = nullptr;
  owed_ = 0;
  const bool was_ready = ready_;
  ready_ = false;
  if (!stopped_)
    spdlog::warn("event=redis_disconnected host={}:{} clean={}", endpoint_.host, endpoint_.port,
                 status == REDIS_OK);
  if (was_ready && opts_.on_state) opts_.on_state(false);
  lost();
}

void RedisConnection::lost() {
  if (stopped_) return;
  backoff_ =
      backoff_.count() == 0 ? opts_.reconnect_min : std::min(backoff_ * 2, opts_.reconnect_max);
  retry_.expires_after(backoff_);
  retry_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopped_ || self->ac_) return;
    self->connect();
  });
}

bool RedisConnection::send(const std::vector<std::string>& argv,
                           void (*fn)(redisAsyncContext*, void*, void*), void* privdata) {
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  // Refused while the context is disconnecting or being freed.
  return redisAsyncCommandArgv(ac_, fn, privdata, static_cast<int>(args.size()), args.data(),
                               lens.data()) == REDIS_OK;
}

void RedisConnection::command(std::vector<std::string> argv, Done done) {
  if (!ac_ || (!ready_ && argv[0] != "AUTH" && argv[0] != "SELECT")) return refuse(std::move(done));
  auto pending = std::make_unique<Pending>(Pending{std::move(done)});
  if (!send(argv, &RedisConnection::on_reply, pending.get()))
    return refuse(std::move(pending->done));
  pending.release();  // hiredis hands it back to on_reply
  owe_reply();
}

void RedisConnection::refuse(Done done) {
  // Posted, never run inside the caller: a caller failing a queue of
  // commands one by one does not recurse.
  boost::asio::post(ex_, [done = std::move(done)] {
    done(core::fail(v1::UNAVAILABLE, "not connected to Redis"));
  });
}

void RedisConnection::owe_reply() {
  if (owed_++ > 0) return;
  last_reply_ = std::chrono::steady_clock::now();
  watch(opts_.reply_timeout);
}

void RedisConnection::watch(std::chrono::steady_clock::duration after) {
  watchdog_.expires_after(after);
  watchdog_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); !ec && self) self->check_replies();
  });
}

void RedisConnection::got_reply() {
  if (owed_ > 0) --owed_;
  last_reply_ = std::chrono::steady_clock::now();
}

void RedisConnection::check_replies() {
  if (stopped_ || !ac_ || owed_ == 0) return;
  const auto silent = std::chrono::steady_clock::now() - last_reply_;
  if (silent < opts_.reply_timeout) return watch(opts_.reply_timeout - silent);
  spdlog::warn("event=redis_reply_timeout host={}:{} owed={} timeout_ms={}", endpoint_.host,
               endpoint_.port, owed_, opts_.reply_timeout.count());
  drop();
}

void RedisConnection::drop() {
  // Our end shut as if the network had dropped: hiredis reads the end of
  // the stream and takes its own path for a lost connection (what waits
  // fails, then a reconnect unless stopped), from its read handler rather
  // than from inside this call.
  ::shutdown(ac_->c.fd, SHUT_RDWR);
}

void RedisConnection::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(privdata));
  if (auto* self = static_cast<RedisConnection*>(ac->data)) {
    self->got_reply();
    if (reply)
      self->round_trip_.observe(std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - p->sent)
                                    .count());
  }
  try {
    if (!reply) return p->done(lost_reply());
    auto v = copy_of(static_cast<redisReply*>(reply));
    if (v.type == RedisValue::Type::error)
      return p->done(core::fail(v1::INTERNAL, "redis: " + v.str));
    p->done(std::move(v));
  } catch (const std::exception& e) {
    spdlog::error("event=redis_callback_failed error=\"{}\"", e.what());
  }
}

void RedisConnection::on_message(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* sub = static_cast<Subscription*>(privdata);
  if (!reply) return;
  try {
    auto v = copy_of(static_cast<redisReply*>(reply));
    if (v.type != RedisValue::Type::array || v.elements.size() < 3) return;
    const auto& kind = v.elements[0].str;
    if (!sub->active) {
      // hiredis forgets the callback as it delivers the unsubscribe reply.
      auto* self = static_cast<RedisConnection*>(ac->data);
      if (kind == "unsubscribe" && self) {
        const auto channel = sub->channel;
        std::erase_if(self->retired_, [sub](const auto& r) { return r.get() == sub; });
        // A subscription made meanwhile waited for this (see subscribe()).
        auto again = self->subscriptions_.find(channel);
        if (again != self->subscriptions_.end() && self->ready_)
          self->send({"SUBSCRIBE", channel}, &RedisConnection::on_message, again->second.get());
      }
      return;
    }
    if (kind == "message") {
      sub->on_message(v.elements[1].str, v.elements[2].str);
    } else if (kind == "subscribe" && sub->on_subscribed) {
      sub->on_subscribed(std::move(v));
    }
  } catch (const std::exception& e) {
    spdlog::error("event=redis_callback_failed error=\"{}\"", e.what());
  }
}

void RedisConnection::subscribe(const std::string& channel, Message on_message, Done done) {
  auto& sub = subscriptions_[channel];
  if (sub) return done(core::fail(v1::INVALID_ARGUMENT, "already subscribed"));
  sub =
      std::make_unique<Subscription>(Subscription{channel, std::move(on_message), std::move(done)});
  // hiredis keeps one callback per channel and drops it when an unsubscribe
  // reply arrives: subscribing again before Redis confirmed the unsubscribe
  // would lose the new callback. Wait for the confirmation then.
  const bool unsubscribing = std::any_of(retired_.begin(), retired_.end(),
                                         [&](const auto& r) { return r->channel == channel; });
  if (ready_ && !unsubscribing)
    send({"SUBSCRIBE", channel}, &RedisConnection::on_message, sub.get());
}

void RedisConnection::unsubscribe(const std::string& channel) {
  auto it = subscriptions_.find(channel);
  if (it == subscriptions_.end()) return;
  it->second->active = false;
  retired_.push_back(std::move(it->second));
  subscriptions_.erase(it);
  // hiredis answers UNSUBSCRIBE through the channel's callback, not one of
  // its own.
  if (ready_) send({"UNSUBSCRIBE", channel}, nullptr, nullptr);
}

}  // namespace panelwire::engine
