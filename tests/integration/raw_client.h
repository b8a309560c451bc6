#pragma once
// A bare WebSocket client for protocol-level tests: it sends exactly the
// bytes a test gives it (including bad ones) and reads frames with a
// timeout. The SDK is what well-behaved clients use.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::test {

using namespace std::chrono_literals;

struct RawOptions {
  // Empty: offer none.
  std::string subprotocol = "panelwire.v1.json";
  std::string target = "/v1/ws";
  // Receive buffer size; small values make a stalled reader fill up fast.
  int rcvbuf = 0;
  // Sent as the Origin header when not empty (what a browser page sends).
  std::string origin = {};
  // Sent as X-Forwarded-For when not empty (what a proxy adds).
  std::string forwarded_for = {};
  // Sent as an X-Forwarded-For line before that one (what a client writes
  // itself, before a proxy adds its own line).
  std::string forwarded_for_first = {};
};

class RawClient {
 public:
  // Throws when the upgrade is refused; `http_status` of a refusal is
  // available through try_upgrade().
  RawClient(unsigned short port, RawOptions opts = {});

  // The HTTP status the server answers an upgrade with (101 when accepted).
  static unsigned try_upgrade(unsigned short port, RawOptions opts);
  // A plain HTTP GET: status and body.
  static std::pair<unsigned, std::string> http_get(unsigned short port, const std::string& target);
  // The same with the response's headers ("Name: value" lines).
  static std::tuple<unsigned, std::string, std::string> http_exchange(unsigned short port,
                                                                      const std::string& target);

  bool json() const { return json_; }
  void send_text(std::string_view data);
  void send_binary(std::string_view data);
  void send(const v1::ClientMessage& msg);
  // A WebSocket ping control frame.
  void ping();

  // The next message, or nullopt on timeout or close (see close_code()).
  std::optional<v1::ServerMessage> read(std::chrono::milliseconds timeout = 5s);
  // Reads and discards until the server closes; returns its close code, or
  // 0 when the connection ended without one (or it timed out).
  std::uint16_t read_until_close(std::chrono::milliseconds timeout = 10s);
  bool closed() const { return closed_; }
  std::uint16_t close_code() const { return close_code_; }

  // Hello, then the Welcome and the ack; fails the test when either is not
  // what a successful join sends. No token: a guest.
  v1::Welcome join(const std::string& panel, const std::string& name,
                   const std::string& client_id = "", std::optional<std::uint64_t> resume = {},
                   const std::string& token = "");
  // Sends a command and returns its ack, collecting the events read on the
  // way into `events` when given.
  v1::Ack command(v1::ClientMessage msg, std::vector<v1::Event>* events = nullptr);
  v1::Ack chat(const std::string& id, const std::string& text,
               std::vector<v1::Event>* events = nullptr);

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buf_;
  bool json_ = true;
  bool reading_ = false;
  bool read_done_ = false;
  boost::beast::error_code read_ec_;
  bool closed_ = false;
  std::uint16_t close_code_ = 0;
};

}  // namespace panelwire::test
