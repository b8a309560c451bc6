// The gate under a session's Beast stream, over a real loopback TCP pair:
// each write reaches the peer whole, in arrival order, and nothing follows
// a close frame.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/beast/websocket/error.hpp>

#include "gated_socket.h"
#include "ws_frame.h"

namespace panelwire::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Pair {
  asio::io_context io;
  Socket server{io.get_executor()};
  tcp::socket client{io};

  // A small send buffer on the gated side and nothing read yet on the
  // other: a large write stays partial until the test reads.
  Pair() {
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    server.set_option(asio::socket_base::send_buffer_size(4096));
  }

  std::string read_exactly(std::size_t n) {
    std::string got(n, '\0');
    asio::read(client, asio::buffer(got));
    return got;
  }

  // Runs the gated side's writes to their end while another thread reads
  // `n` bytes at the other end.
  std::string run_and_read(std::size_t n) {
    std::string got;
    std::thread reader([&] { got = read_exactly(n); });
    io.run();
    reader.join();
    return got;
  }
};

// What Beast writes for a control frame: header and payload apart.
struct Control {
  std::string header;
  std::string payload;
  std::vector<asio::const_buffer> buffers() const {
    return {asio::buffer(header), asio::buffer(payload)};
  }
};

Control control_frame(unsigned char opcode, std::string payload) {
  return {std::string{static_cast<char>(0x80 | opcode), static_cast<char>(payload.size())},
          std::move(payload)};
}

TEST(GatedSocket, AControlFrameWaitsUntilTheDataWriteIsWhole) {
  Pair p;
  GatedSocket gate(std::move(p.server));
  // Far more than the socket buffers take before the reader reads.
  std::vector<std::string> frames;
  for (int i = 0; i < 40; ++i)
    frames.push_back(core::frame_message(std::string(64 << 10, static_cast<char>('a' + i)), true));
  std::vector<asio::const_buffer> iov;
  for (const auto& f : frames) iov.emplace_back(asio::buffer(f));
  std::vector<std::string> done;
  gate.async_write_frames(iov, [&](boost::beast::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, 40 * frames[0].size());
    done.push_back("data");
  });
  // The first write is partial by now; a ping arrives in the middle of it.
  p.io.poll();
  const auto ping = control_frame(0x9, "hb");
  gate.async_write_some(ping.buffers(), [&](boost::beast::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, 4u) << "written whole, as one write_some";
    done.push_back("ping");
  });
  const auto got = p.run_and_read(40 * frames[0].size() + 4);
  std::string expected;
  for (const auto& f : frames) expected += f;
  expected += ping.header + ping.payload;
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "the ping came after every data byte, not among them";
  EXPECT_EQ(done, (std::vector<std::string>{"data", "ping"}));
}

TEST(GatedSocket, WaitingWritesStartInArrivalOrder) {
  Pair p;
  GatedSocket gate(std::move(p.server));
  const std::string big = core::frame_message(std::string(1 << 20, 'x'), false);
  const std::string small = core::frame_message("after", false);
  std::vector<asio::const_buffer> first{asio::buffer(big)};
  std::vector<asio::const_buffer> second{asio::buffer(small)};
  std::vector<std::string> order;
  gate.async_write_frames(first, [&](auto ec, std::size_t) {
    EXPECT_FALSE(ec);
    order.push_back("data 1");
  });
  const auto pong = control_frame(0xA, "");
  gate.async_write_some(pong.buffers(), [&](auto ec, std::size_t) {
    EXPECT_FALSE(ec);
    order.push_back("pong");
  });
  gate.async_write_frames(second, [&](auto ec, std::size_t) {
    EXPECT_FALSE(ec);
    order.push_back("data 2");
  });
  const auto got = p.run_and_read(big.size() + 2 + small.size());
  EXPECT_TRUE(got == big + pong.header + small);
  EXPECT_EQ(order, (std::vector<std::string>{"data 1", "pong", "data 2"}));
}

TEST(GatedSocket, NoDataFollowsACloseFrame) {
  Pair p;
  GatedSocket gate(std::move(p.server));
  const std::string frame = core::frame_message("before the close", true);
  std::vector<asio::const_buffer> before{asio::buffer(frame)};
  std::vector<asio::const_buffer> after{asio::buffer(frame)};
  boost::beast::error_code before_ec, after_ec;
  bool after_done = false;
  gate.async_write_frames(before, [&](auto ec, std::size_t) { before_ec = ec; });
  const auto close = control_frame(0x8, std::string("\x03\xe9", 2));
  gate.async_write_some(close.buffers(), [&](auto, std::size_t) {});
  gate.async_write_frames(after, [&](auto ec, std::size_t n) {
    after_ec = ec;
    after_done = true;
    EXPECT_EQ(n, 0u);
  });
  p.io.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(before_ec) << "queued ahead of the close, so written";
  ASSERT_TRUE(after_done);
  EXPECT_EQ(after_ec, boost::beast::websocket::error::closed);
  const auto expected = frame + close.header + close.payload;
  EXPECT_EQ(p.read_exactly(expected.size()), expected);
  p.client.non_blocking(true);
  char extra;
  boost::system::error_code ec;
  EXPECT_EQ(p.client.read_some(asio::buffer(&extra, 1), ec), 0u);
  EXPECT_EQ(ec, asio::error::would_block) << "nothing after the close frame";
}

TEST(GatedSocket, AnHttpReplyIsNotTakenForACloseFrame) {
  Pair p;
  GatedSocket gate(std::move(p.server));
  const std::string reply = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  std::vector<asio::const_buffer> http{asio::buffer(reply)};
  gate.async_write_some(http, [](auto ec, std::size_t) { EXPECT_FALSE(ec); });
  const std::string frame = core::frame_message("first event", true);
  std::vector<asio::const_buffer> data{asio::buffer(frame)};
  boost::beast::error_code data_ec = boost::asio::error::would_block;
  gate.async_write_frames(data, [&](auto ec, std::size_t) { data_ec = ec; });
  p.io.run_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(data_ec) << data_ec.message();
  EXPECT_EQ(p.read_exactly(reply.size() + frame.size()), reply + frame);
}

// Beast's keep-alive ping holds only a weak reference to the stream: its
// write may complete after the session, and the gate with it, is gone.
// Completions then reach their handlers without touching the gate (ASan
// sees a use after free otherwise).
TEST(GatedSocket, WritesThatOutliveTheGateStillComplete) {
  Pair p;
  auto gate = std::make_unique<GatedSocket>(std::move(p.server));
  const std::string big = core::frame_message(std::string(4 << 20, 'x'), false);
  std::vector<asio::const_buffer> data{asio::buffer(big)};
  int completed = 0;
  gate->async_write_frames(data, [&](auto ec, std::size_t) {
    EXPECT_TRUE(ec) << "cut short by the close";
    ++completed;
  });
  p.io.poll();  // partly written, stuck: nobody reads
  const auto ping = control_frame(0x9, "");
  gate->async_write_some(ping.buffers(), [&](auto, std::size_t) { ++completed; });
  gate.reset();  // closes the socket; both writes are still to complete
  p.io.run();
  EXPECT_EQ(completed, 2) << "every handler ran, after the gate was gone";
}

}  // namespace
}  // namespace panelwire::net
