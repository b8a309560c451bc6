#pragma once
// Accepts connections and deals them out to the shards in turn.

#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "metrics_source.h"
#include "shard.h"
#include "tls_certificate.h"

namespace panelwire::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens on `endpoint`, on the first shard's io_context. With
  // `metrics`, this is the metrics port: connections bypass the clients'
  // gate (a scrape must get through a full node), stay on the first shard,
  // are capped at kMetricsConnections, and are served /metrics only. With
  // `tls` (which must outlive it) connections speak TLS with its context
  // at the time they arrive.
  Listener(std::vector<Shard*> shards, boost::asio::ip::tcp::endpoint endpoint,
           boost::system::error_code& ec, MetricsSource* metrics = nullptr,
           const TlsCertificate* tls = nullptr);

  // Prometheus holds one connection per scraper; a few more are a mistake
  // or an attack, refused at once.
  static constexpr int kMetricsConnections = 8;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  void run();
  // Stops accepting; posted to the listener's shard.
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, Socket socket);
  void accept_scraper(Socket socket);
  void refuse(Socket& socket, core::AddressTable::Verdict verdict, Shard& shard);

  std::vector<Shard*> shards_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Backs off after an accept error such as running out of descriptors,
  // which would otherwise fail again at once in a busy loop.
  boost::asio::steady_timer retry_;
  std::size_t next_ = 0;
  MetricsSource* metrics_ = nullptr;
  const TlsCertificate* tls_ = nullptr;
  // Metrics connections open; touched on the first shard's thread only.
  std::shared_ptr<int> metrics_open_ = std::make_shared<int>(0);
};

}  // namespace panelwire::net
