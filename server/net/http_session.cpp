#include "http_session.h"

#include <algorithm>
#include <atomic>

#include <spdlog/spdlog.h>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "audit.h"
#include "websocket_session.h"

namespace panelwire::net {

namespace {

std::atomic<std::uint64_t> next_session_id{1};

// The subprotocol to speak given the client's offer (a comma-separated
// list), the first of ours in the client's order. No offer means JSON, so
// that a bare WebSocket client works; an offer of only unknown ones is
// refused.
std::optional<std::pair<core::WireFormat, std::string_view>> choose_subprotocol(
    std::string_view offer) {
  if (offer.find_first_not_of(" \t") == std::string_view::npos)
    return std::pair{core::WireFormat::json, std::string_view{}};
  while (!offer.empty()) {
    auto comma = offer.find(',');
    auto item = offer.substr(0, comma);
    offer = comma == std::string_view::npos ? std::string_view{} : offer.substr(comma + 1);
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b == std::string_view::npos) continue;
    item = item.substr(b, e - b + 1);
    if (item == core::kProtoSubprotocol)
      return std::pair{core::WireFormat::proto, core::kProtoSubprotocol};
    if (item == core::kJsonSubprotocol)
      return std::pair{core::WireFormat::json, core::kJsonSubprotocol};
  }
  return std::nullopt;
}

}  // namespace

namespace {

std::variant<TcpStream, TlsStream> stream_of(Socket&& socket, boost::asio::ssl::context* tls) {
  if (!tls) return TcpStream(std::move(socket));
  return TlsStream(TcpStream(std::move(socket)), *tls);
}

}  // namespace

HttpSession::HttpSession(Socket&& socket, Shard& shard, ConnectionGate::Lease lease,
                         std::shared_ptr<boost::asio::ssl::context> tls, MetricsSource* metrics,
                         std::shared_ptr<void> slot)
    : stream_(stream_of(std::move(socket), tls.get())),
      tls_(std::move(tls)),
      shard_(shard),
      lease_(std::move(lease)),
      metrics_(metrics),
      slot_(std::move(slot)) {
  shard_.add(*this);
}

HttpSession::~HttpSession() {
  Drainable::unlink();
  shard_.removed();
}

TcpStream& HttpSession::tcp() {
  return std::visit([](auto& s) -> TcpStream& { return beast::get_lowest_layer(s); }, stream_);
}

void HttpSession::run() {
  beast::error_code ec;
  tcp().socket().set_option(boost::asio::ip::tcp::no_delay(shard_.config().tcp_nodelay), ec);
  if (auto n = shard_.config().socket_send_buffer_bytes)
    tcp().socket().set_option(boost::asio::socket_base::send_buffer_size(static_cast<int>(n)), ec);
  auto* tls = std::get_if<TlsStream>(&stream_);
  if (!tls) return do_read();
  // The TLS handshake is part of the request's time: a client that opens a
  // connection and says nothing is cut at the same deadline.
  tcp().expires_after(shard_.config().handshake_timeout);
  tls->async_handshake(TlsStream::server, [self = shared_from_this()](beast::error_code ec) {
    self->on_handshake(ec);
  });
}

void HttpSession::on_handshake(beast::error_code ec) {
  if (!ec) return do_read(false);
  // Scanners, plain HTTP to the TLS port, clients that distrust us: common
  // on an open port, so counted among the abuse lines (rate-limited).
  shard_.log_abuse(spdlog::level::info, "event=tls_handshake_failed error=\"{}\"",
                   core::log_safe(ec.message(), 200));
  tcp().socket().close(ec);
}

void HttpSession::drain() {
  beast::error_code ignored;
  tcp().socket().close(ignored);
}

void HttpSession::do_read(bool rearm) {
  if (shard_.draining()) return;
  parser_.emplace();
  // Requests carry no body here; a header over 8 KiB is not a client of ours.
  parser_->header_limit(8192);
  parser_->body_limit(0);
  if (rearm) tcp().expires_after(shard_.config().handshake_timeout);
  std::visit(
      [this](auto& s) {
        http::async_read(
            s, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
      },
      stream_);
}

void HttpSession::on_read(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == boost::asio::error::operation_aborted || ec == boost::asio::error::connection_reset ||
      ec.category() == boost::asio::error::get_ssl_category() ||
      ec == boost::asio::ssl::error::stream_truncated) {
    // (A broken TLS record: no reply could reach the client either.)
    beast::error_code ignored;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  if (ec) {
    shard_.log_abuse(spdlog::level::info, "event=bad_http error=\"{}\"", ec.message());
    return respond(http::status::bad_request, "bad request\n");
  }
  const auto& req = parser_->get();
  auto target = std::string_view(req.target());
  target = target.substr(0, target.find('?'));
  if (metrics_) {
    if (req.method() != http::verb::get)
      return respond(http::status::method_not_allowed, "method not allowed\n");
    if (target != "/metrics") return respond(http::status::not_found, "not found\n");
    return serve_metrics();
  }

  if (beast::websocket::is_upgrade(req)) {
    if (target != "/v1/ws")
      return respond(http::status::not_found, "no WebSocket endpoint here; use /v1/ws\n");
    return upgrade();
  }
  if (req.method() != http::verb::get && req.method() != http::verb::head)
    return respond(http::status::method_not_allowed, "method not allowed\n");
  // Alive: the process answers. Ready: it should get new clients (not while
  // draining, nor while its engine is cut off).
  if (target == "/healthz") return respond(http::status::ok, "ok\n");
  if (target == "/readyz") {
    if (shard_.draining() || !shard_.engine().ready())
      return respond(http::status::service_unavailable, "not ready\n");
    return respond(http::status::ok, "ready\n");
  }
  if (target == "/v1/ws")
    return respond(http::status::upgrade_required, "WebSocket upgrade required\n");
  if (const auto* page = shard_.config().pages->find(target))
    return serve(*page, req.method() == http::verb::head);
  respond(http::status::not_found, "not found\n");
}

void HttpSession::serve(const WebPages::File& file, bool head) {
  const bool keep_alive = parser_->get().keep_alive();
  page_body_ = file.body;
  page_res_.emplace(http::status::ok, 11);
  page_res_->set(http::field::server, "panelwire");
  page_res_->set(http::field::content_type, file.content_type);
  // Hashed assets never change; the page itself must be checked each time
  // so a new build reaches browsers at once.
  page_res_->set(http::field::cache_control,
                 file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  page_res_->set("X-Content-Type-Options", "nosniff");
  // The pages load only their own scripts and styles and talk only to this
  // relay; no page of ours leaks its URL (it may hold an invitation token)
  // to another site; and only the operator's sites may frame it.
  page_res_->set("Referrer-Policy", "no-referrer");
  page_res_->set("Content-Security-Policy",
                 "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                 "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                 "frame-ancestors " +
                     shard_.config().frame_ancestors);
  page_res_->keep_alive(keep_alive);
  page_res_->content_length(page_body_->size());
  if (!head) page_res_->body() = {page_body_->data(), page_body_->size()};
  // The request's deadline covered reading it; the write gets its own,
  // long enough for this size at the slowest rate we serve.
  const auto& cfg = shard_.config();
  const auto bytes = head ? 0 : page_body_->size();
  tcp().expires_after(cfg.handshake_timeout +
                      std::chrono::milliseconds(bytes * 1000 / cfg.page_min_bytes_per_second));
  std::visit(
      [&](auto& s) {
        http::async_write(
            s, *page_res_,
            [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
              self->page_res_.reset();
              self->page_body_.reset();
              self->on_write(ec, keep_alive);
            });
      },
      stream_);
}

bool HttpSession::origin_allowed() const {
  const auto& req = parser_->get();
  auto it = req.find(http::field::origin);
  if (it == req.end()) return true;  // not a browser: nothing to protect
  auto origin = std::string_view(it->value());
  const auto& allowed = shard_.config().allowed_origins;
  if (!allowed.empty())
    return std::any_of(allowed.begin(), allowed.end(),
                       [&](const std::string& a) { return a == "*" || a == origin; });
  // Same host: the Origin's host[:port] is the Host the page was loaded from.
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;
  return beast::iequals(origin.substr(scheme_end + 3), req[http::field::host]);
}

void HttpSession::upgrade() {
  auto& req = parser_->get();
  auto choice = choose_subprotocol(req[http::field::sec_websocket_protocol]);
  if (!choice)
    return respond(http::status::bad_request,
                   "unsupported subprotocol; offer panelwire.v1.proto or panelwire.v1.json\n");
  beast::error_code ignored;
  auto endpoint = tcp().socket().remote_endpoint(ignored);
  if (!origin_allowed()) {
    shard_.log_abuse(spdlog::level::warn, "event=origin_refused origin=\"{}\"",
                     core::log_safe(req[http::field::origin], 200));
    return respond(http::status::forbidden, "this origin may not open panelwire sessions\n");
  }
  // Behind a trusted proxy the client is who the proxy says it is.
  std::string client = lease_.address();
  if (shard_.gate().trusted(endpoint.address())) {
    // Several lines are one list: the client may send its own, and a proxy
    // that adds a line (haproxy's option forwardfor) puts its entry last.
    std::string_view forwarded;
    for (auto [line, end] = req.equal_range("X-Forwarded-For"); line != end; ++line)
      forwarded = line->value();
    client = forwarded_client(forwarded);
    if (client.empty()) client = endpoint.address().to_string();
    if (!lease_.attribute(client))
      return respond(http::status::too_many_requests, "too many connections from this address\n");
  }
  tcp().expires_never();
  auto id = next_session_id.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("event=upgrade session={} remote={}:{} client={} subprotocol={}", id,
                endpoint.address().to_string(), endpoint.port(), client,
                choice->second.empty() ? "(none)" : choice->second);
  auto* tls = std::get_if<TlsStream>(&stream_);
  auto stream = tls ? ClientStream(std::move(*tls), std::move(tls_))
                    : ClientStream(std::get<TcpStream>(stream_).release_socket());
  std::make_shared<WebsocketSession>(std::move(stream), shard_, choice->first, id,
                                     std::move(lease_), std::move(client))
      ->run(parser_->release(), choice->second);
}

void HttpSession::serve_metrics() {
  metrics_->collect(tcp().get_executor(), [self = shared_from_this()](std::string text) {
    if (!self->tcp().socket().is_open()) return;
    // The write gets a deadline of its own, not what the read left.
    self->tcp().expires_after(self->shard_.config().handshake_timeout);
    self->respond(http::status::ok, std::move(text), "text/plain; version=0.0.4; charset=utf-8");
  });
}

void HttpSession::respond(http::status status, std::string body) {
  respond(status, std::move(body), "text/plain; charset=utf-8");
}

void HttpSession::respond(http::status status, std::string body, std::string_view content_type) {
  // The metrics port answers one request a connection: a scraper holds one
  // of its few slots only while it is served.
  const bool keep_alive = !metrics_ && parser_ && parser_->is_header_done() &&
                          parser_->get().keep_alive() && status != http::status::bad_request;
  res_.emplace(status, 11);
  res_->set(http::field::server, "panelwire");
  res_->set(http::field::content_type, content_type);
  res_->keep_alive(keep_alive);
  res_->body() = std::move(body);
  res_->prepare_payload();
  std::visit(
      [&](auto& s) {
        http::async_write(
            s, *res_, [self = shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
              self->on_write(ec, keep_alive);
            });
      },
      stream_);
}

void HttpSession::on_write(beast::error_code ec, bool keep_alive) {
  if (ec) return;
  if (keep_alive) return do_read();
  beast::error_code ignored;
  tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
}

}  // namespace panelwire::net
