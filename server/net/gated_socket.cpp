#include "gated_socket.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/assert.hpp>
#include <boost/beast/websocket/error.hpp>

namespace panelwire::net {

namespace asio = boost::asio;

namespace {

// Beast's close frame: FIN and opcode 8, no reserved bits (no extension is
// negotiated). Its HTTP reply starts with 'H' (0x48), so the whole byte is
// compared, not the opcode alone.
bool is_close_frame(std::span<const asio::const_buffer> buffers) {
  for (const auto& b : buffers)
    if (b.size() > 0) return *static_cast<const unsigned char*>(b.data()) == 0x88;
  return false;
}

// Completes a write that never reached the socket: from the executor, never
// inside the caller's call.
void complete_unwritten(ShardExecutor ex, GatedSocket::Handler h, boost::beast::error_code ec) {
  asio::post(ex, [h = std::move(h), ec]() mutable { std::move(h)(ec, 0); });
}

}  // namespace

GatedSocket::~GatedSocket() {
  *alive_ = false;
  for (auto& slot : waiting_)
    if (slot)
      complete_unwritten(get_executor(), std::move(slot->handler), asio::error::operation_aborted);
}

void GatedSocket::async_write_frames(std::span<const asio::const_buffer> frames, Handler handler) {
  submit(Write{Write::Kind::data, {}, frames, std::move(handler)});
}

void GatedSocket::submit(Write w) {
  if (busy_) {
    auto& slot = waiting_[waiting_[first_] ? first_ ^ 1 : first_];
    if (slot) {
      // A third writer: none exists (Beast has one write at a time, the
      // session one). Refused loudly rather than dropping a handler.
      BOOST_ASSERT_MSG(false, "a third write waiting at the gate");
      return complete_unwritten(get_executor(), std::move(w.handler), asio::error::in_progress);
    }
    slot.emplace(std::move(w));
    return;
  }
  start(std::move(w));
}

void GatedSocket::start(Write w) {
  if (w.kind == Write::Kind::data && closed_)
    return complete_unwritten(get_executor(), std::move(w.handler),
                              boost::beast::websocket::error::closed);
  busy_ = true;
  auto done = [this, alive = alive_, h = std::move(w.handler)](boost::beast::error_code ec,
                                                               std::size_t n) mutable {
    if (!*alive) return std::move(h)(ec, n);
    busy_ = false;
    // The next write starts before this one's handler runs, so a writer
    // that submits again from its handler queues behind it, in order.
    if (auto& slot = waiting_[first_]) {
      Write next(std::move(*slot));
      slot.reset();
      first_ ^= 1;
      start(std::move(next));
    }
    std::move(h)(ec, n);
  };
  if (w.kind == Write::Kind::control) {
    closed_ = closed_ || is_close_frame(w.control);
    asio::async_write(socket_, w.control, std::move(done));
  } else {
    asio::async_write(socket_, w.frames, std::move(done));
  }
}

}  // namespace panelwire::net
