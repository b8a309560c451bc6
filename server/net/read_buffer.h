#pragma once
// A session's read buffer that costs next to nothing while the client is
// silent. Beast's read prepares room before it waits for data: up to
// 1,536 bytes (its TCP frame size) from any buffer with room, held by every
// idle connection for as long as it is idle. Empty, this buffer offers
// Beast only kIdleBytes of room, so an idle session holds that much; once
// bytes arrive it offers its whole limit and a message of any allowed size
// is read as before (in a few more copies out of Beast's own buffer).

#include <algorithm>
#include <cstddef>

#include <boost/beast/core/flat_buffer.hpp>

namespace panelwire::net {

class ReadBuffer {
 public:
  using const_buffers_type = boost::beast::flat_buffer::const_buffers_type;
  using mutable_buffers_type = boost::beast::flat_buffer::mutable_buffers_type;

  // Room offered while empty: a frame header and the shortest commands.
  static constexpr std::size_t kIdleBytes = 128;

  std::size_t size() const noexcept { return buf_.size(); }
  std::size_t max_size() const noexcept {
    return buf_.size() == 0 ? std::min(kIdleBytes, buf_.max_size()) : buf_.max_size();
  }
  std::size_t capacity() const noexcept { return buf_.capacity(); }
  const_buffers_type data() const noexcept { return buf_.data(); }
  const_buffers_type cdata() const noexcept { return buf_.cdata(); }
  mutable_buffers_type prepare(std::size_t n) { return buf_.prepare(n); }
  void commit(std::size_t n) noexcept { buf_.commit(n); }
  void consume(std::size_t n) noexcept { buf_.consume(n); }

  // Drops the message read and the memory it took.
  void clear() {
    buf_.consume(buf_.size());
    buf_.shrink_to_fit();
  }

 private:
  boost::beast::flat_buffer buf_;
};

}  // namespace panelwire::net
