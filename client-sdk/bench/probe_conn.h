#pragma once
// The probe's WebSocket connections, for coroutines on one io_context: either
// subprotocol, an optional small receive buffer set before connect (a client
// that stops reading), and the server's HTTP answer when it refuses the
// upgrade. Every connection goes to 127.0.0.1 and nowhere else.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::probe {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
template <class T>
using Task = asio::awaitable<T>;

struct Target {
  tcp::endpoint endpoint;
  std::string host_header, path;
};
// ws://127.0.0.1:PORT/path (localhost is read as 127.0.0.1); any other host
// throws std::invalid_argument.
Target parse_target(const std::string& url);

enum class Format { json, proto };

struct Opened {
  beast::error_code ec;
  // The server's HTTP answer: 101, or a refusal (429, 503, ...); 0 when the
  // connection ended before any answer.
  unsigned status = 0;
};

class WsConn : public std::enable_shared_from_this<WsConn> {
 public:
  // receive_buffer > 0: SO_RCVBUF in bytes, set before connect so the
  // window the kernel offers the server stays that small.
  WsConn(asio::any_io_executor ex, Target target, Format format, int receive_buffer = 0);

  // Connects and upgrades.
  Task<Opened> open();
  // One command, written whole. One send at a time per connection.
  Task<beast::error_code> send(const v1::ClientMessage& m);
  // The next server message, or the error that ended the connection (then
  // close_code() says whether the server sent a close frame). One receive
  // at a time; it may run beside a send.
  Task<beast::error_code> receive(v1::ServerMessage& out);
  // Close handshake; abort() cuts it short.
  Task<void> close();
  // Drops the TCP connection at once; pending operations end with an error.
  void abort();

  // Code of the server's close frame; 0 when none came.
  std::uint16_t close_code() const { return ws_.reason().code; }
  asio::any_io_executor executor() { return ws_.get_executor(); }
  // Size of the last message received, in bytes as sent.
  std::size_t last_message_bytes() const { return last_bytes_; }

 private:
  Target target_;
  Format format_;
  int receive_buffer_;
  beast::websocket::stream<tcp::socket> ws_;
  beast::flat_buffer in_;
  std::size_t last_bytes_ = 0;
};

// Aborts a connection unless destroyed first: the bound on every exchange
// with a server that may be slow or broken.
class Watchdog {
 public:
  Watchdog(const std::shared_ptr<WsConn>& conn, std::chrono::milliseconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  bool fired() const { return *fired_; }

 private:
  asio::steady_timer timer_;
  std::shared_ptr<bool> fired_;
};

// A steady-clock pause inside a coroutine.
Task<void> sleep_for(std::chrono::milliseconds d);

// "RATE_LIMITED", "RESOURCE_EXHAUSTED", ...
std::string code_name(v1::ErrorCode code);

// What a command came to: its Ack (and the Welcome, for a Hello).
struct Exchange {
  // False when the connection ended before the Ack.
  bool acked = false;
  v1::Ack ack;
  bool welcomed = false;
  std::uint64_t welcome_seq = 0;
  std::size_t welcome_bytes = 0;
  bool ok() const { return acked && !ack.has_error(); }
};
// Sends `m` and reads until its Ack, skipping events and other acks.
Task<Exchange> request(WsConn& conn, const v1::ClientMessage& m);

// Builders of the commands the probe sends.
v1::ClientMessage hello(const std::string& id, const std::string& panel, const std::string& name,
                        const std::string& client_id);
v1::ClientMessage chat(const std::string& id, const std::string& text);
v1::ClientMessage ping(const std::string& id);

}  // namespace panelwire::probe
