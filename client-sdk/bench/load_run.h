#pragma once
// The bench's connections: subscribers that count and time what they
// receive, publishers that send on an open-loop schedule. Everything runs
// on one thread so the bench costs as little CPU as it can.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace panelwire::bench {

struct LoadPlan {
  boost::asio::ip::tcp::endpoint subscribe_to, publish_to;
  std::string host_header, target;
  std::string panel;
  std::size_t subscribers = 0;
  std::size_t publishers = 0;
  // Messages per second over all publishers.
  double rate = 0;
  std::chrono::milliseconds duration{0};
  // How long to wait for the last deliveries after publishing stops.
  std::chrono::milliseconds drain{5000};
  // Handshakes in flight at once while connecting, so a crowd of SYNs does
  // not overflow the server's accept queue.
  std::size_t connect_window = 200;
};

struct LoadResult {
  std::size_t connections = 0;
  std::size_t connect_failures = 0;
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
  std::uint64_t expected = 0;
  std::uint64_t delivered = 0;
  std::uint64_t duplicates = 0;
  // Connections that broke after joining.
  std::uint64_t disconnects = 0;
  std::chrono::microseconds publish_time{0};
  // One per delivery: receive time minus scheduled send time.
  std::vector<std::uint32_t> latency_us;
  // One per ack: its arrival minus the command's scheduled send time (what
  // a publisher waits for: on a durable engine, the disk's sync too).
  std::vector<std::uint32_t> ack_latency_us;
};

class LoadRun {
 public:
  LoadRun(boost::asio::io_context& io, LoadPlan plan);
  ~LoadRun();

  // Opens every connection and joins the panel; `ready` runs once all did
  // (or failed).
  void connect(std::function<void()> ready);
  // Publishes for the planned duration, waits for the deliveries, then runs
  // `done`.
  void publish(std::function<void()> done);

  LoadResult& result() { return result_; }

 private:
  struct Conn;
  void open_next();
  void read(Conn& c);
  void joined(Conn& c, bool ok);
  void tick();
  void send(Conn& c, std::string frame);
  void write_next(Conn& c);
  void on_event(Conn& c, std::uint64_t seq, const std::string& text);
  void on_ack(const std::string& id, bool ok);
  void check_drained();

  boost::asio::io_context& io_;
  LoadPlan plan_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::size_t next_to_open_ = 0, in_flight_ = 0, settled_ = 0;
  std::function<void()> ready_, done_;
  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point start_, deadline_;
  std::uint64_t scheduled_ = 0, acked_ = 0;
  LoadResult result_;
};

}  // namespace panelwire::bench
