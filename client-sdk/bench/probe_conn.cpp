#include "probe_conn.h"

#include <google/protobuf/util/json_util.h>
#include <stdexcept>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>

namespace panelwire::probe {

namespace websocket = beast::websocket;
using asio::redirect_error;
using asio::use_awaitable;

Target parse_target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "ws") throw std::invalid_argument("not a ws:// URL: " + url);
  const std::string host(u->host());
  // The probe attacks; it may only ever attack this machine's loopback.
  if (host != "127.0.0.1" && host != "localhost")
    throw std::invalid_argument("the probe only connects to 127.0.0.1, not " + host);
  if (!u->has_port()) throw std::invalid_argument("the URL needs a port: " + url);
  Target t;
  auto port = static_cast<unsigned short>(std::stoul(std::string(u->port())));
  t.endpoint = tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
  t.host_header = "127.0.0.1:" + std::to_string(port);
  t.path = u->encoded_path().empty() ? "/v1/ws" : std::string(u->encoded_path());
  return t;
}

WsConn::WsConn(asio::any_io_executor ex, Target target, Format format, int receive_buffer)
    : target_(std::move(target)), format_(format), receive_buffer_(receive_buffer), ws_(ex) {}

Task<Opened> WsConn::open() {
  Opened r;
  auto& sock = ws_.next_layer();
  sock.open(tcp::v4(), r.ec);
  if (r.ec) co_return r;
  if (receive_buffer_ > 0)
    sock.set_option(asio::socket_base::receive_buffer_size(receive_buffer_), r.ec);
  if (r.ec) co_return r;
  co_await sock.async_connect(target_.endpoint, redirect_error(use_awaitable, r.ec));
  if (r.ec) co_return r;
  beast::error_code ignored;
  sock.set_option(tcp::no_delay(true), ignored);
  const char* subprotocol = format_ == Format::json ? "panelwire.v1.json" : "panelwire.v1.proto";
  ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::request_type& req) {
    req.set(beast::http::field::sec_websocket_protocol, subprotocol);
  }));
  ws_.binary(format_ == Format::proto);
  // A Welcome may be far larger than Beast's default limit.
  ws_.read_message_max(64u << 20);
  websocket::response_type res;
  co_await ws_.async_handshake(res, target_.host_header, target_.path,
                               redirect_error(use_awaitable, r.ec));
  // The response is only read when the upgrade succeeded or was declined.
  if (!r.ec || r.ec == websocket::error::upgrade_declined) r.status = res.result_int();
  co_return r;
}

Task<beast::error_code> WsConn::send(const v1::ClientMessage& m) {
  std::string frame;
  if (format_ == Format::json)
    (void)google::protobuf::util::MessageToJsonString(m, &frame);
  else
    m.SerializeToString(&frame);
  beast::error_code ec;
  co_await ws_.async_write(asio::buffer(frame), redirect_error(use_awaitable, ec));
  co_return ec;
}

Task<beast::error_code> WsConn::receive(v1::ServerMessage& out) {
  beast::error_code ec;
  in_.clear();
  co_await ws_.async_read(in_, redirect_error(use_awaitable, ec));
  if (ec) co_return ec;
  last_bytes_ = in_.size();
  auto data = in_.cdata();
  std::string_view bytes(static_cast<const char*>(data.data()), data.size());
  out.Clear();
  bool ok = false;
  if (format_ == Format::json) {
    google::protobuf::util::JsonParseOptions opts;
    opts.ignore_unknown_fields = true;
    ok = google::protobuf::util::JsonStringToMessage(bytes, &out, opts).ok();
  } else {
    ok = out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  }
  in_.consume(in_.size());
  if (!ok) co_return make_error_code(beast::errc::bad_message);
  co_return beast::error_code{};
}

Task<void> WsConn::close() {
  if (!ws_.is_open()) co_return;
  beast::error_code ec;
  co_await ws_.async_close(websocket::close_code::normal, redirect_error(use_awaitable, ec));
}

void WsConn::abort() {
  beast::error_code ignored;
  ws_.next_layer().close(ignored);
}

Watchdog::Watchdog(const std::shared_ptr<WsConn>& conn, std::chrono::milliseconds limit)
    : timer_(conn->executor()), fired_(std::make_shared<bool>(false)) {
  timer_.expires_after(limit);
  timer_.async_wait([weak = std::weak_ptr<WsConn>(conn), fired = fired_](beast::error_code ec) {
    if (ec) return;
    *fired = true;
    if (auto c = weak.lock()) c->abort();
  });
}

Watchdog::~Watchdog() {
  timer_.cancel();
}

Task<void> sleep_for(std::chrono::milliseconds d) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex, d);
  beast::error_code ec;
  co_await timer.async_wait(redirect_error(use_awaitable, ec));
}

Task<Exchange> request(WsConn& conn, const v1::ClientMessage& m) {
  Exchange x;
  auto sent = co_await conn.send(m);
  if (sent) co_return x;
  v1::ServerMessage msg;
  for (;;) {
    auto ec = co_await conn.receive(msg);
    if (ec) break;
    if (msg.has_welcome()) {
      x.welcomed = true;
      x.welcome_seq = msg.welcome().seq();
      x.welcome_bytes = conn.last_message_bytes();
    } else if (msg.has_ack() && msg.ack().id() == m.id()) {
      x.acked = true;
      x.ack = std::move(*msg.mutable_ack());
      co_return x;
    }
  }
  co_return x;
}

std::string code_name(v1::ErrorCode code) {
  auto name = v1::ErrorCode_Name(code);
  return name.empty() ? "CODE_" + std::to_string(static_cast<int>(code)) : name;
}

v1::ClientMessage hello(const std::string& id, const std::string& panel, const std::string& name,
                        const std::string& client_id) {
  v1::ClientMessage m;
  m.set_id(id);
  auto* h = m.mutable_hello();
  h->set_panel_id(panel);
  h->set_display_name(name);
  h->set_client_id(client_id);
  return m;
}

v1::ClientMessage chat(const std::string& id, const std::string& text) {
  v1::ClientMessage m;
  m.set_id(id);
  m.mutable_send_chat()->set_text(text);
  return m;
}

v1::ClientMessage ping(const std::string& id) {
  v1::ClientMessage m;
  m.set_id(id);
  m.mutable_ping();
  return m;
}

}  // namespace panelwire::probe
