#include "wire_client.h"

#include <poll.h>

#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace panelwire::test {

namespace asio = boost::asio;

WireClient::WireClient(unsigned short port, std::string_view subprotocol) {
  socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket_.set_option(asio::ip::tcp::no_delay(true));
  std::string req =
      "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Protocol: " +
      std::string(subprotocol) + "\r\n\r\n";
  send(req);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  std::size_t end;
  while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
    if (!fill(deadline)) throw std::runtime_error("no reply to the upgrade");
  if (buf_.rfind("HTTP/1.1 101", 0) != 0)
    throw std::runtime_error("upgrade refused: " + buf_.substr(0, buf_.find("\r\n")));
  buf_.erase(0, end + 4);
}

std::string WireClient::frame(std::uint8_t opcode, std::string_view payload, FrameSpec spec) {
  std::string f;
  f += static_cast<char>((spec.fin ? 0x80 : 0) | (spec.rsv << 4) | opcode);
  const int mask_bit = spec.masked ? 0x80 : 0;
  if (payload.size() < 126) {
    f += static_cast<char>(mask_bit | static_cast<int>(payload.size()));
  } else if (payload.size() <= 0xffff) {
    f += static_cast<char>(mask_bit | 126);
    f += static_cast<char>(payload.size() >> 8);
    f += static_cast<char>(payload.size() & 0xff);
  } else {
    f += static_cast<char>(mask_bit | 127);
    for (int i = 7; i >= 0; --i) f += static_cast<char>((payload.size() >> (8 * i)) & 0xff);
  }
  const char key[4] = {'\x5a', '\x01', '\xc3', '\x7e'};
  if (spec.masked) f.append(key, 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f += spec.masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return f;
}

std::string WireClient::close_payload(std::uint16_t code, std::string_view reason) {
  return std::string{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)} +
         std::string(reason);
}

void WireClient::send(std::string_view bytes) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(bytes), ec);  // a closed peer shows in what is read
}

std::uint16_t WireClient::Frame::close_code() const {
  if (opcode != 0x8 || payload.size() < 2) return 0;
  return static_cast<std::uint16_t>(static_cast<unsigned char>(payload[0]) << 8 |
                                    static_cast<unsigned char>(payload[1]));
}

bool WireClient::fill(std::chrono::steady_clock::time_point deadline) {
  if (ended_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{socket_.native_handle(), POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  boost::system::error_code ec;
  const auto n = socket_.read_some(asio::buffer(chunk), ec);
  if (ec || n == 0) {
    ended_ = true;
    return false;
  }
  buf_.append(chunk, n);
  return true;
}

std::optional<WireClient::Frame> WireClient::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (buf_.size() >= 2) {
      const auto* b = reinterpret_cast<const unsigned char*>(buf_.data());
      if (b[1] & 0x80) throw std::runtime_error("a server frame must not be masked");
      std::size_t header = 2;
      std::uint64_t length = b[1] & 0x7f;
      if (length >= 126) header += length == 126 ? 2 : 8;
      if (buf_.size() >= header) {
        if (length >= 126) {
          length = 0;
          for (std::size_t i = 2; i < header; ++i) length = (length << 8) | b[i];
        }
        if (buf_.size() >= header + length) {
          Frame f{static_cast<std::uint8_t>(b[0] & 0x0f), (b[0] & 0x80) != 0,
                  buf_.substr(header, length)};
          buf_.erase(0, header + length);
          return f;
        }
      }
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<WireClient::Frame> WireClient::next_data(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto f = next(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!f || (f->opcode != 0x9 && f->opcode != 0xa)) return f;
  }
}

std::uint16_t WireClient::read_until_close(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto f = next(std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()));
    if (!f) return 0;
    if (f->opcode == 0x8) return f->close_code();
  }
}

}  // namespace panelwire::test
