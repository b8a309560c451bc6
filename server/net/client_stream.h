#pragma once
// The bytes of one client connection after the upgrade: the TCP socket
// itself, or TLS over it (--tls-cert). WebsocketSession reads and writes
// through this alike.
//
// The plain path keeps its shape: it reads when the socket is readable,
// into the shard's buffer, and writes at once what the socket takes, the
// rest later. TLS reads into a small buffer of its own (OpenSSL may hold a
// record the socket no longer shows as readable, and a read in flight owns
// its buffer until it completes) and writes each gathered batch of frames
// as one buffer, so one batch costs one record and one send, not one each.

#include <memory>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "shard.h"

namespace panelwire::net {

// A connection before the upgrade: the socket with the HTTP deadlines.
using TcpStream = boost::beast::basic_stream<boost::asio::ip::tcp, ShardExecutor>;
using TlsStream = boost::asio::ssl::stream<TcpStream>;

class ClientStream {
 public:
  explicit ClientStream(Socket&& socket) : stream_(std::move(socket)) {}
  // `context` is the one `tls` was made with, kept while it lives.
  ClientStream(TlsStream&& tls, std::shared_ptr<boost::asio::ssl::context> context)
      : stream_(std::move(tls)), context_(std::move(context)) {}

  Socket& socket();
  const Socket& socket() const { return const_cast<ClientStream*>(this)->socket(); }
  bool is_open() const { return socket().is_open(); }
  ShardExecutor get_executor() { return socket().get_executor(); }
  bool tls() const { return std::holds_alternative<TlsStream>(stream_); }

  // `f(stream)` with the stream itself, plain or TLS (for the upgrade's
  // reply, which Beast writes).
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }

  // Once upgraded: the plain socket no longer blocks (read_now, write_now).
  void start(boost::system::error_code& ec);

  // Bytes there now, up to `into`; would_block when there are none. TLS:
  // what the last wait decrypted and is not yet taken.
  std::size_t read_now(std::span<char> into, boost::system::error_code& ec);
  // `h(ec)` once read_now has bytes (or the end) to give.
  template <class Handler>
  void async_wait_readable(Handler&& h);

  // What the socket takes now, would_block for none. TLS takes nothing
  // here: its writes are all async_write.
  std::size_t write_now(const std::vector<boost::asio::const_buffer>& iov,
                        boost::system::error_code& ec);
  // Writes all of `iov` (which must live until `h(ec, n)`).
  template <class Handler>
  void async_write(const std::vector<boost::asio::const_buffer>& iov, Handler&& h);

  // Plain: our FIN, both close frames being through.
  void shutdown_send();
  // TLS: our close_notify, then the peer's (or the end); `h(ec)` then.
  template <class Handler>
  void async_tls_shutdown(Handler&& h) {
    std::get<TlsStream>(stream_).async_shutdown(std::forward<Handler>(h));
  }
  void close();

 private:
  // Bytes a TLS read takes at a time: a few commands; longer messages
  // arrive in several reads.
  static constexpr std::size_t kTlsReadBytes = 4096;
  // A TLS write buffer past this is given back once written: most batches
  // are a few frames, so a connection keeps at most this much between
  // writes, and one that sent a burst does not hold the burst's size.
  static constexpr std::size_t kTlsKeptWriteBytes = 4096;

  std::variant<Socket, TlsStream> stream_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  // TLS only: the read's buffer, its bytes [in_pos_, in_len_) not taken.
  std::unique_ptr<char[]> in_;
  std::size_t in_pos_ = 0;
  std::size_t in_len_ = 0;
  // TLS only: the write in flight, gathered.
  std::string out_;
};

template <class Handler>
void ClientStream::async_wait_readable(Handler&& h) {
  if (auto* plain = std::get_if<Socket>(&stream_))
    return plain->async_wait(Socket::wait_read, std::forward<Handler>(h));
  if (!in_) in_ = std::make_unique<char[]>(kTlsReadBytes);
  // The handler holds the session, which holds this stream.
  std::get<TlsStream>(stream_).async_read_some(
      boost::asio::buffer(in_.get(), kTlsReadBytes),
      [this, h = std::forward<Handler>(h)](boost::system::error_code ec, std::size_t n) mutable {
        in_pos_ = 0;
        in_len_ = n;
        // Bytes with the end: taken first, the end comes with the next wait.
        h(n > 0 ? boost::system::error_code{} : ec);
      });
}

template <class Handler>
void ClientStream::async_write(const std::vector<boost::asio::const_buffer>& iov, Handler&& h) {
  if (auto* plain = std::get_if<Socket>(&stream_))
    return boost::asio::async_write(*plain, iov, std::forward<Handler>(h));
  out_.clear();
  for (const auto& b : iov) out_.append(static_cast<const char*>(b.data()), b.size());
  boost::asio::async_write(
      std::get<TlsStream>(stream_), boost::asio::buffer(out_),
      [this, h = std::forward<Handler>(h)](boost::system::error_code ec, std::size_t n) mutable {
        if (out_.capacity() > kTlsKeptWriteBytes) std::string().swap(out_);
        h(ec, n);
      });
}

}  // namespace panelwire::net
