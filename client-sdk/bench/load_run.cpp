#include "load_run.h"

#include <unistd.h>

#include <charconv>
#include <deque>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t ns_of(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string frame_of(const v1::ClientMessage& m) {
  std::string out;
  m.SerializeToString(&out);
  return out;
}

// Bench messages read "b <scheduled send time, steady clock ns>".
constexpr std::string_view kPrefix = "b ";

}  // namespace

struct LoadRun::Conn {
  Conn(asio::io_context& io, std::size_t i, bool pub) : index(i), publisher(pub), ws(io) {}
  std::size_t index;
  bool publisher;
  websocket::stream<tcp::socket> ws;
  beast::flat_buffer in;
  std::deque<std::string> out;
  bool writing = false;
  bool welcomed = false;
  bool broken = false;
  std::uint64_t last_seq = 0;
};

LoadRun::LoadRun(asio::io_context& io, LoadPlan plan)
    : io_(io), plan_(std::move(plan)), timer_(io) {
  auto total = plan_.subscribers + plan_.publishers;
  conns_.reserve(total);
  for (std::size_t i = 0; i < total; ++i)
    conns_.push_back(std::make_unique<Conn>(io_, i, i >= plan_.subscribers));
  result_.latency_us.reserve(
      static_cast<std::size_t>(plan_.rate * static_cast<double>(plan_.duration.count()) / 1000.0 *
                               static_cast<double>(plan_.subscribers)));
}

LoadRun::~LoadRun() = default;

void LoadRun::connect(std::function<void()> ready) {
  ready_ = std::move(ready);
  if (conns_.empty()) return asio::post(io_, [this] { ready_(); });
  while (in_flight_ < plan_.connect_window && next_to_open_ < conns_.size()) open_next();
}

void LoadRun::open_next() {
  auto& c = *conns_[next_to_open_++];
  in_flight_++;
  auto to = c.publisher ? plan_.publish_to : plan_.subscribe_to;
  c.ws.next_layer().async_connect(to, [this, &c](beast::error_code ec) {
    if (ec) return joined(c, false);
    c.ws.next_layer().set_option(tcp::no_delay(true), ec);
    c.ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, "panelwire.v1.proto");
    }));
    c.ws.binary(true);
    c.ws.async_handshake(plan_.host_header, plan_.target, [this, &c](beast::error_code ec) {
      if (ec) return joined(c, false);
      v1::ClientMessage hello;
      hello.set_id("hello");
      auto* h = hello.mutable_hello();
      h->set_panel_id(plan_.panel);
      h->set_display_name((c.publisher ? "pub-" : "sub-") + std::to_string(c.index));
      h->set_client_id("bench-" + std::to_string(getpid()) + "-" + std::to_string(c.index));
      send(c, frame_of(hello));
      read(c);
    });
  });
}

void LoadRun::read(Conn& c) {
  c.ws.async_read(c.in, [this, &c](beast::error_code ec, std::size_t) {
    if (ec) {
      if (!c.welcomed) return joined(c, false);
      if (!c.broken) result_.disconnects++;
      c.broken = true;
      return;
    }
    v1::ServerMessage msg;
    auto data = c.in.cdata();
    if (!msg.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
      result_.disconnects++;
      c.broken = true;
      return;
    }
    c.in.consume(c.in.size());
    if (msg.has_event()) {
      on_event(c, msg.event().seq(), msg.event().chat_posted().text());
    } else if (msg.has_welcome()) {
      c.last_seq = msg.welcome().seq();
      joined(c, true);
    } else if (msg.has_ack() && msg.ack().id() != "hello") {
      on_ack(msg.ack().id(), !msg.ack().has_error());
    }
    read(c);
  });
}

void LoadRun::joined(Conn& c, bool ok) {
  if (c.welcomed) return;
  c.welcomed = ok;
  if (ok)
    result_.connections++;
  else
    result_.connect_failures++;
  in_flight_--;
  if (next_to_open_ < conns_.size()) open_next();
  if (++settled_ == conns_.size() && ready_) asio::post(io_, std::exchange(ready_, nullptr));
}

void LoadRun::publish(std::function<void()> done) {
  done_ = std::move(done);
  start_ = Clock::now();
  tick();
}

void LoadRun::tick() {
  const auto total =
      static_cast<std::uint64_t>(plan_.rate * static_cast<double>(plan_.duration.count()) / 1000.0);
  const auto interval = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / plan_.rate));
  auto now = Clock::now();
  // Open loop: whatever is due is sent now, stamped with when it was due, so
  // a slow server shows up as latency rather than as a slower schedule.
  while (scheduled_ < total && start_ + interval * scheduled_ <= now) {
    auto due = start_ + interval * scheduled_;
    auto& pub = *conns_[plan_.subscribers + scheduled_ % plan_.publishers];
    v1::ClientMessage m;
    m.set_id(std::to_string(scheduled_));
    m.mutable_send_chat()->set_text(std::string(kPrefix) + std::to_string(ns_of(due)));
    send(pub, frame_of(m));
    scheduled_++;
  }
  if (scheduled_ < total) {
    timer_.expires_at(start_ + interval * scheduled_);
    return timer_.async_wait([this](beast::error_code ec) {
      if (!ec) tick();
    });
  }
  result_.publish_time = std::chrono::duration_cast<std::chrono::microseconds>(now - start_);
  deadline_ = now + plan_.drain;
  check_drained();
}

void LoadRun::check_drained() {
  result_.expected = result_.sent * plan_.subscribers;
  bool all_in = acked_ == scheduled_ && result_.delivered >= result_.expected;
  if (all_in || Clock::now() >= deadline_) return asio::post(io_, std::exchange(done_, nullptr));
  timer_.expires_after(std::chrono::milliseconds(20));
  timer_.async_wait([this](beast::error_code ec) {
    if (!ec) check_drained();
  });
}

void LoadRun::send(Conn& c, std::string frame) {
  c.out.push_back(std::move(frame));
  if (!c.writing) write_next(c);
}

void LoadRun::write_next(Conn& c) {
  c.writing = true;
  c.ws.async_write(asio::buffer(c.out.front()), [this, &c](beast::error_code ec, std::size_t) {
    c.writing = false;
    if (ec) {
      if (!c.broken) result_.disconnects++;
      c.broken = true;
      return;
    }
    c.out.pop_front();
    if (!c.out.empty()) write_next(c);
  });
}

void LoadRun::on_event(Conn& c, std::uint64_t seq, const std::string& text) {
  if (seq <= c.last_seq) {
    if (!c.publisher) result_.duplicates++;
    return;
  }
  c.last_seq = seq;
  if (c.publisher || text.compare(0, kPrefix.size(), kPrefix) != 0) return;
  std::int64_t due = 0;
  std::from_chars(text.data() + kPrefix.size(), text.data() + text.size(), due);
  auto latency_ns = ns_of(Clock::now()) - due;
  result_.delivered++;
  result_.latency_us.push_back(
      static_cast<std::uint32_t>(std::max<std::int64_t>(latency_ns, 0) / 1000));
}

void LoadRun::on_ack(const std::string& id, bool ok) {
  acked_++;
  // A command's id is its index in the schedule, which says when it was due.
  std::uint64_t index = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), index);
  if (ec == std::errc() && end == id.data() + id.size()) {
    const auto interval = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / plan_.rate));
    auto waited = Clock::now() - (start_ + interval * index);
    result_.ack_latency_us.push_back(static_cast<std::uint32_t>(std::max<std::int64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(waited).count(), 0)));
  }
  if (ok)
    result_.sent++;
  else
    result_.send_errors++;
}

}  // namespace panelwire::bench
