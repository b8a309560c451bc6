#include "listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "http_session.h"

namespace panelwire::net {

namespace asio = boost::asio;

Listener::Listener(std::vector<Shard*> shards, asio::ip::tcp::endpoint endpoint,
                   boost::system::error_code& ec)
    : shards_(std::move(shards)),
      acceptor_(shards_.front()->ioc()),
      retry_(shards_.front()->ioc()) {
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
  {
    auto* shard = shards_[(next_ + shards_.size() - 1) % shards_.size()];
    asio::post(socket.get_executor(), [shard, socket = std::move(socket)]() mutable {
      if (shard->draining()) return;
      std::make_shared<HttpSession>(std::move(socket), *shard)->run();
    });
  }
  do_accept();
}

}  // namespace panelwire::net
