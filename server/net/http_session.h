#pragma once
// An HTTP connection, plain or TLS (--tls-cert): answers /healthz and
// /readyz, serves the browser pages, refuses what is not ours and hands
// WebSocket upgrades on /v1/ws to a WebsocketSession.

#include <memory>
#include <optional>
#include <variant>

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/string_body.hpp>

#include "client_stream.h"
#include "metrics_source.h"
#include "shard.h"

namespace panelwire::net {

namespace beast = boost::beast;
namespace http = boost::beast::http;

class HttpSession final : public std::enable_shared_from_this<HttpSession>, public Drainable {
 public:
  // With `tls` the connection speaks TLS from its first byte, with that
  // context. With `metrics` it came to the metrics port: it is served
  // /metrics from it and nothing else, and holds `slot` while it lives.
  HttpSession(Socket&& socket, Shard& shard, ConnectionGate::Lease lease,
              std::shared_ptr<boost::asio::ssl::context> tls, MetricsSource* metrics = nullptr,
              std::shared_ptr<void> slot = {});
  ~HttpSession();

  void run();
  void drain() override;
  void abort() override { drain(); }
  void count(ShardStats& into) const override { ++into.unjoined; }

 private:
  // The socket with its deadline, under TLS or not.
  TcpStream& tcp();
  void on_handshake(beast::error_code ec);
  // `rearm`: a fresh deadline for the request; false right after the TLS
  // handshake, whose deadline covers the first request too.
  void do_read(bool rearm = true);
  void on_read(beast::error_code ec);
  void upgrade();
  void serve_metrics();
  // Whether the request's Origin may open a session (see RelayConfig).
  bool origin_allowed() const;
  void respond(http::status status, std::string body);
  void respond(http::status status, std::string body, std::string_view content_type);
  void serve(const WebPages::File& file, bool head);
  void on_write(beast::error_code ec, bool keep_alive);

  std::variant<TcpStream, TlsStream> stream_;
  // Held by the connection it made (a reload makes a new one).
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Shard& shard_;
  ConnectionGate::Lease lease_;
  MetricsSource* metrics_;
  std::shared_ptr<void> slot_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  std::optional<http::response<http::string_body>> res_;
  // A page's bytes are shared, not copied: the response points into them
  // and holds them until written.
  std::optional<http::response<http::span_body<const char>>> page_res_;
  std::shared_ptr<const std::string> page_body_;
};

}  // namespace panelwire::net
