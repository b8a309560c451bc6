#pragma once
// A WebSocket client at the byte level, for what a library client cannot
// do: frames that break the rules, messages in fragments, several frames in
// one TCP write, pings left unanswered, and the close handshake watched to
// the end of the TCP connection.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace panelwire::test {

using namespace std::chrono_literals;

class WireClient {
 public:
  // Connects and upgrades with `subprotocol`; throws when refused.
  explicit WireClient(unsigned short port, std::string_view subprotocol = "panelwire.v1.json");

  struct FrameSpec {
    bool fin = true;
    bool masked = true;
    std::uint8_t rsv = 0;
  };
  // A client frame (masked, as clients must, unless told otherwise).
  static std::string frame(std::uint8_t opcode, std::string_view payload, FrameSpec spec);
  static std::string frame(std::uint8_t opcode, std::string_view payload) {
    return frame(opcode, payload, FrameSpec{});
  }
  static std::string close_payload(std::uint16_t code, std::string_view reason = "");

  // The bytes as given, in one write.
  void send(std::string_view bytes);

  struct Frame {
    std::uint8_t opcode = 0;
    bool fin = false;
    std::string payload;
    // A close frame's code; 0 when it has none.
    std::uint16_t close_code() const;
  };
  // The next whole server frame; nullopt on timeout or once the server has
  // ended the TCP connection (ended() says which).
  std::optional<Frame> next(std::chrono::milliseconds timeout = 5s);
  // The next frame that is not a ping or pong.
  std::optional<Frame> next_data(std::chrono::milliseconds timeout = 5s);
  bool ended() const { return ended_; }
  // Frames until the server's close frame: its code, or 0 without one.
  std::uint16_t read_until_close(std::chrono::milliseconds timeout = 5s);

 private:
  // Reads more bytes into buf_; false on timeout or end.
  bool fill(std::chrono::steady_clock::time_point deadline);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_{io_};
  std::string buf_;
  bool ended_ = false;
};

}  // namespace panelwire::test
