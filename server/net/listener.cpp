#include "listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "http_session.h"

namespace panelwire::net {

namespace asio = boost::asio;

Listener::Listener(std::vector<Shard*> shards, asio::ip::tcp::endpoint endpoint,
                   boost::system::error_code& ec, MetricsSource* metrics, const TlsCertificate* tls)
    : shards_(std::move(shards)),
      acceptor_(shards_.front()->ioc()),
      retry_(shards_.front()->ioc()),
      metrics_(metrics),
      tls_(tls) {
  if (metrics_) shards_.resize(1);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
}

asio::ip::tcp::endpoint Listener::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void Listener::run() {
  do_accept();
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_.cancel();
  });
}

void Listener::do_accept() {
  // The new socket is bound to the next shard's io_context: that shard owns
  // it from the start.
  auto& shard = *shards_[next_];
  next_ = (next_ + 1) % shards_.size();
  acceptor_.async_accept(shard.ioc(),
                         [self = shared_from_this()](boost::system::error_code ec, Socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void Listener::on_accept(boost::system::error_code ec, Socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of descriptors and the like: say so and keep accepting.
    spdlog::warn("event=accept_failed error=\"{}\"", ec.message());
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait(
        [self = shared_from_this()](boost::system::error_code) { self->do_accept(); });
    return;
  }
  auto* shard = shards_[(next_ + shards_.size() - 1) % shards_.size()];
  boost::system::error_code peer_ec;
  auto peer = socket.remote_endpoint(peer_ec).address();
  core::AddressTable::Verdict verdict{};
  if (peer_ec) {
    // Gone before we could look at it: nothing to count or answer.
    socket.close(peer_ec);
    return do_accept();
  }
  if (metrics_) {
    accept_scraper(std::move(socket));
    return do_accept();
  }
  auto lease = shard->gate().admit(peer, verdict);
  if (!lease) {
    refuse(socket, verdict, *shards_.front());  // this thread's shard
  } else if (tls_ && !lease.address().empty() &&
             shard->gate().take_handshake(lease.address(), shard->clock().now_ms()) > 0) {
    // Closed before any TLS state is made or any signature computed; a
    // client that reconnects at a person's pace never meets this.
    boost::system::error_code ignored;
    socket.close(ignored);
    shards_.front()->log_abuse(spdlog::level::warn,
                               "event=connection_refused reason=tls_handshake_rate client={}",
                               lease.address());
  } else {
    asio::post(socket.get_executor(), [shard, socket = std::move(socket), lease = std::move(lease),
                                       tls = tls_ ? tls_->current() : nullptr]() mutable {
      if (shard->draining()) return;
      std::make_shared<HttpSession>(std::move(socket), *shard, std::move(lease), std::move(tls))
          ->run();
    });
  }
  do_accept();
}

void Listener::accept_scraper(Socket socket) {
  // On the first shard's thread, as the session will be.
  if (*metrics_open_ >= kMetricsConnections) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return shards_.front()->log_abuse(spdlog::level::warn,
                                      "event=connection_refused reason=metrics_full");
  }
  ++*metrics_open_;
  std::shared_ptr<void> slot(nullptr, [open = metrics_open_](void*) { --*open; });
  if (shards_.front()->draining()) return;
  std::make_shared<HttpSession>(std::move(socket), *shards_.front(), ConnectionGate::Lease{},
                                nullptr, metrics_, std::move(slot))
      ->run();
}

void Listener::refuse(Socket& socket, core::AddressTable::Verdict verdict, Shard& shard) {
  // Answered at once and closed: a refused client holds no descriptor and
  // costs no read. The socket is fresh, so this short write never blocks.
  const bool node_full = verdict == core::AddressTable::Verdict::node_full;
  std::string_view res = node_full ? "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
                                     "Content-Length: 0\r\nConnection: close\r\n\r\n"
                                   : "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\n"
                                     "Content-Length: 0\r\nConnection: close\r\n\r\n";
  boost::system::error_code ec;
  // A TLS client would read the answer as a broken handshake: it is only
  // closed, the same to it.
  if (!tls_) {
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(res.data(), res.size()), ec);
  }
  socket.close(ec);
  shard.log_abuse(spdlog::level::warn, "event=connection_refused reason={}",
                  node_full ? "node_full" : "address_full");
}

}  // namespace panelwire::net
