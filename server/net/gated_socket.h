#pragma once
// The socket under a session's Beast stream. Two writers share it: Beast
// (handshake reply, pings, pongs, the close frame) and the session, which
// writes data frames it did not ask Beast to build (prebuilt and shared,
// see ws_frame.h). The gate lets one write at a time reach the socket and
// runs each to its end, so no frame ever lands inside another.
//
// Guarantees:
// - A write started here is written whole before any other starts (a
//   partial send is continued, never interleaved).
// - Waiting writes start in arrival order.
// - Once Beast has written a close frame, data writes fail with
//   websocket::error::closed and write nothing: no data after a close.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/container/small_vector.hpp>

#include "shard.h"

namespace panelwire::net {

class GatedSocket {
 public:
  using executor_type = ShardExecutor;
  using next_layer_type = Socket;
  using Handler = boost::asio::any_completion_handler<void(boost::beast::error_code, std::size_t)>;

  explicit GatedSocket(Socket&& socket) : socket_(std::move(socket)) {}
  // Writes still waiting complete with operation_aborted, from the executor.
  ~GatedSocket();
  GatedSocket(const GatedSocket&) = delete;
  GatedSocket& operator=(const GatedSocket&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  Socket& next_layer() noexcept { return socket_; }

  template <class MutableBuffers, class ReadHandler>
  auto async_read_some(const MutableBuffers& buffers, ReadHandler&& handler) {
    return socket_.async_read_some(buffers, std::forward<ReadHandler>(handler));
  }

  // Beast's writes. Each is written whole (Beast then sees one call do it
  // all, which a write_some may).
  template <class ConstBuffers, class WriteHandler>
  auto async_write_some(const ConstBuffers& buffers, WriteHandler&& handler) {
    return boost::asio::async_initiate<WriteHandler, void(boost::beast::error_code, std::size_t)>(
        [this](auto h, const ConstBuffers& b) {
          Write w{Write::Kind::control, {}, {}, Handler(std::move(h))};
          for (auto it = boost::asio::buffer_sequence_begin(b);
               it != boost::asio::buffer_sequence_end(b); ++it)
            w.control.emplace_back(*it);
          submit(std::move(w));
        },
        handler, buffers);
  }

  // The session's data frames, whole, in one gathered write. `frames` must
  // stay valid until the handler runs (the session's queue holds them).
  void async_write_frames(std::span<const boost::asio::const_buffer> frames, Handler handler);

 private:
  struct Write {
    enum class Kind : std::uint8_t { control, data } kind;
    // Beast's: header and payload (or an HTTP reply), copied out of its
    // buffer sequence type.
    boost::container::small_vector<boost::asio::const_buffer, 2> control;
    // The session's: up to 64 frames (Asio hands the kernel at most 64
    // buffers per call), held by the session's queue.
    std::span<const boost::asio::const_buffer> frames;
    Handler handler;
  };

  void submit(Write w);
  void start(Write w);

  Socket socket_;
  bool busy_ = false;
  bool closed_ = false;
  // Overflow rule: none is needed. Beast has at most one write of its own
  // in flight and the session at most one, so at most two ever wait here,
  // `waiting_[first_]` first. Slots are emplaced and reset, never assigned:
  // Asio 1.26's any_completion_handler move assignment recurses for ever.
  std::optional<Write> waiting_[2];
  std::uint8_t first_ = 0;
  // False once this is destroyed. A write's completion may outlive it:
  // Beast's keep-alive ping holds only a weak reference to the stream, so
  // its write can complete after the session (and this) is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// How Beast ends the connection under a GatedSocket: as it would a bare
// socket (shut down sending, read until the peer closes).
inline void teardown(boost::beast::role_type role, GatedSocket& s, boost::beast::error_code& ec) {
  boost::beast::websocket::teardown(role, s.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, GatedSocket& s, TeardownHandler&& handler) {
  boost::beast::websocket::async_teardown(role, s.next_layer(),
                                          std::forward<TeardownHandler>(handler));
}

}  // namespace panelwire::net
