#pragma once
// Runs SDK clients on one background io thread and lets a test wait for
// what they received.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "panelwire/client/client.h"

namespace panelwire::test {

using namespace std::chrono_literals;

class IoThread {
 public:
  IoThread() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~IoThread() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

  // Runs `f` on the io thread and returns its result.
  template <class F>
  auto call(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto fut = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return fut.get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// One SDK client and everything it saw, safe to inspect from the test thread.
class SdkClient {
 public:
  SdkClient(IoThread& io, client::Options opts) : io_(io) {
    io_.call([&] {
      client_ = client::Client::create(io_.io().get_executor(), std::move(opts));
      client_->on_welcome = [this](const v1::Welcome& w) {
        record([&] { welcomes_.push_back(w); });
      };
      client_->on_event = [this](const v1::Event& e) { record([&] { events_.push_back(e); }); };
      client_->on_close = [this](std::uint16_t code, const std::string&) {
        record([&] { closes_.push_back(code); });
      };
      client_->start();
      return 0;
    });
  }
  ~SdkClient() {
    io_.call([&] {
      client_->stop();
      client_->on_welcome = nullptr;
      client_->on_event = nullptr;
      client_->on_close = nullptr;
      return 0;
    });
  }

  // Sends any command and waits for its ack.
  v1::Ack send(v1::ClientMessage m) {
    return ack_of([&](auto done) { client_->send(m, done); });
  }
  // Sends a chat message and waits for its ack.
  v1::Ack chat(const std::string& text) {
    return ack_of([&](auto done) { client_->send_chat(text, done); });
  }
  // Sends without waiting; the ack lands in the returned future.
  std::future<v1::Ack> chat_async(const std::string& text) {
    auto p = std::make_shared<std::promise<v1::Ack>>();
    auto f = p->get_future();
    io_.call([&] {
      client_->send_chat(text, [p](const v1::Ack& a) { p->set_value(a); });
      return 0;
    });
    return f;
  }
  void drop() {
    io_.call([&] {
      client_->drop();
      return 0;
    });
  }

  // Waits until `pred` holds over what was received (under the lock).
  bool wait(std::function<bool()> pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, timeout, pred);
  }
  bool wait_events(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    return wait([&] { return events_.size() >= n; }, timeout);
  }
  // Until the event `seq` (and, in order, every one before it) arrived.
  bool wait_seq(std::uint64_t seq, std::chrono::milliseconds timeout = 10s) {
    return wait([&] { return !events_.empty() && events_.back().seq() >= seq; }, timeout);
  }
  bool wait_welcomes(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    return wait([&] { return welcomes_.size() >= n; }, timeout);
  }
  bool wait_closes(std::size_t n, std::chrono::milliseconds timeout = 10s) {
    return wait([&] { return closes_.size() >= n; }, timeout);
  }

  std::vector<v1::Event> events() {
    std::lock_guard lock(m_);
    return events_;
  }
  std::vector<v1::Welcome> welcomes() {
    std::lock_guard lock(m_);
    return welcomes_;
  }
  std::vector<std::uint16_t> closes() {
    std::lock_guard lock(m_);
    return closes_;
  }

 private:
  template <class F>
  void record(F f) {
    {
      std::lock_guard lock(m_);
      f();
    }
    cv_.notify_all();
  }
  template <class Send>
  v1::Ack ack_of(Send send) {
    // Shared: the ack may come after a timed-out wait has returned.
    auto p = std::make_shared<std::promise<v1::Ack>>();
    auto f = p->get_future();
    io_.call([&] {
      send([p](const v1::Ack& a) { p->set_value(a); });
      return 0;
    });
    if (f.wait_for(10s) == std::future_status::ready) return f.get();
    // A server that never answered is a failure, never an empty (so
    // error-free, "successful") ack.
    ADD_FAILURE() << "no ack within 10 s";
    v1::Ack missing;
    missing.mutable_error()->set_code(v1::ERROR_CODE_UNSPECIFIED);
    missing.mutable_error()->set_message("no ack within 10 s (test harness)");
    return missing;
  }

  IoThread& io_;
  std::shared_ptr<client::Client> client_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<v1::Welcome> welcomes_;
  std::vector<v1::Event> events_;
  std::vector<std::uint16_t> closes_;
};

// The seqs of `events`, in the order received.
inline std::vector<std::uint64_t> seqs_of(const std::vector<v1::Event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq());
  return out;
}

// from, from + 1, ..., to.
inline std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (auto s = from; s <= to; ++s) out.push_back(s);
  return out;
}

}  // namespace panelwire::test
