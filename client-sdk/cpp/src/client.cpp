#include "panelwire/client/client.h"

#include <deque>
#include <random>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/url/parse.hpp>

namespace panelwire::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

std::mt19937_64& rng() {
  static thread_local std::mt19937_64 r{std::random_device{}()};
  return r;
}

// Closes that say the client itself is at fault: reconnecting would only
// repeat them.
bool is_permanent(std::uint16_t code) {
  return code == 1002 || code == 1003 || code == 1007 || code == 1009;
}

// Bytes of frames waiting to be written on one connection; past this a
// command fails locally with UNAVAILABLE instead of growing the queue.
constexpr std::size_t kMaxQueuedBytes = 1u << 20;

}  // namespace

struct Client::Timer {
  explicit Timer(const asio::any_io_executor& ex) : t(ex) {}
  asio::steady_timer t;
};

struct Client::Connection {
  explicit Connection(const asio::any_io_executor& ex) : resolver(ex), ws(ex) {}
  tcp::resolver resolver;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer in;
  std::deque<std::string> out;
  std::size_t out_bytes = 0;
  bool writing = false;
  bool joined = false;
  bool done = false;
  std::string hello_id;
  std::string host, port, target;
};

std::shared_ptr<Client> Client::create(asio::any_io_executor ex, Options opts) {
  return std::shared_ptr<Client>(new Client(std::move(ex), std::move(opts)));
}

Client::Client(asio::any_io_executor ex, Options opts)
    : ex_(std::move(ex)),
      opts_(std::move(opts)),
      commands_(opts_.max_pending_commands),
      reconnect_timer_(std::make_unique<Timer>(ex_)) {
  if (opts_.client_id.empty()) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()()));
    opts_.client_id = buf;
  }
  char prefix[20];
  std::snprintf(prefix, sizeof prefix, "%08llx-",
                static_cast<unsigned long long>(rng()() & 0xffffffffu));
  id_prefix_ = prefix;
  if (opts_.resume_after) {
    last_seq_ = *opts_.resume_after;
    seen_seq_ = true;
  }
}

Client::~Client() = default;

void Client::set_state(State s, const std::string& why) {
  state_ = s;
  if (on_state) on_state(s, why);
}

void Client::start() {
  if (state_ == State::stopped || conn_) return;
  connect();
}

void Client::stop() {
  if (state_ == State::stopped) return;
  reconnect_timer_->t.cancel();
  if (auto c = std::exchange(conn_, nullptr)) {
    c->done = true;
    if (c->ws.is_open())
      c->ws.async_close(websocket::close_code::normal, [c](beast::error_code) {});
    else
      beast::get_lowest_layer(c->ws).close();
  }
  set_state(State::stopped, "stopped");
  commands_.fail_all("the client was stopped");
}

void Client::drop() {
  if (conn_) beast::get_lowest_layer(conn_->ws).socket().close();
}

void Client::connect() {
  if (opts_.urls.empty()) return set_state(State::stopped, "no URL to connect to");
  const auto& url = opts_.urls[url_index_ % opts_.urls.size()];
  url_index_++;
  auto c = std::make_shared<Connection>(ex_);
  conn_ = c;
  set_state(State::connecting, url);

  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || (parsed->scheme() != "ws")) {
    conn_.reset();
    return set_state(State::stopped, "not a ws:// URL: " + url);
  }
  c->host = parsed->host();
  c->port = parsed->has_port() ? std::string(parsed->port()) : "80";
  c->target = parsed->encoded_target().empty() ? "/v1/ws" : std::string(parsed->encoded_target());

  c->resolver.async_resolve(
      c->host, c->port,
      [self = shared_from_this(), c](beast::error_code ec, tcp::resolver::results_type results) {
        if (c->done) return;
        if (ec) return self->lost(c, 0, "resolve: " + ec.message());
        auto& tcp_layer = beast::get_lowest_layer(c->ws);
        tcp_layer.expires_after(std::chrono::seconds(10));
        tcp_layer.async_connect(results, [self, c](beast::error_code ec, const tcp::endpoint&) {
          if (c->done) return;
          if (ec) return self->lost(c, 0, "connect: " + ec.message());
          beast::get_lowest_layer(c->ws).socket().set_option(tcp::no_delay(true), ec);
          auto sub = std::string(subprotocol(self->opts_.format));
          c->ws.set_option(websocket::stream_base::decorator([sub](websocket::request_type& req) {
            req.set(beast::http::field::sec_websocket_protocol, sub);
          }));
          c->ws.async_handshake(c->host + ":" + c->port, c->target,
                                [self, c](beast::error_code ec) {
                                  if (c->done) return;
                                  if (ec) return self->lost(c, 0, "handshake: " + ec.message());
                                  self->on_connected(c);
                                });
        });
      });
}

void Client::on_connected(std::shared_ptr<Connection> c) {
  // The WebSocket layer keeps its own timeouts and answers pings from here on.
  beast::get_lowest_layer(c->ws).expires_never();
  c->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  c->ws.read_message_max(1u << 20);
  c->ws.binary(opts_.format == WireFormat::proto);

  v1::ClientMessage hello;
  c->hello_id = "hello-" + std::to_string(next_id_++);
  hello.set_id(c->hello_id);
  auto* h = hello.mutable_hello();
  h->set_panel_id(opts_.panel_id);
  h->set_display_name(opts_.display_name);
  h->set_client_id(opts_.client_id);
  h->set_token(opts_.token);
  h->set_question_order(opts_.question_order);
  if (seen_seq_) h->set_resume_after(last_seq_);
  write(c, hello);
  do_read(c);
}

void Client::do_read(std::shared_ptr<Connection> c) {
  c->ws.async_read(c->in, [self = shared_from_this(), c](beast::error_code ec, std::size_t) {
    if (c->done) return;
    if (ec) {
      auto code = static_cast<std::uint16_t>(c->ws.reason().code);
      return self->lost(c, code,
                        ec == websocket::error::closed ? std::string(c->ws.reason().reason.data(),
                                                                     c->ws.reason().reason.size())
                                                       : ec.message());
    }
    auto data = beast::buffers_to_string(c->in.data());
    c->in.consume(c->in.size());
    auto msg = decode(data, self->opts_.format);
    if (!msg) return self->lost(c, 0, "undecodable frame from the server");
    self->on_message(c, *msg);
    if (!c->done) self->do_read(c);
  });
}

void Client::on_message(const std::shared_ptr<Connection>& c, const v1::ServerMessage& msg) {
  if (msg.has_welcome()) {
    welcome_ = msg.welcome();
    // After a snapshot the client is current as of Welcome.seq; after a
    // resume the missed events follow and move last_seq_ themselves.
    if (msg.welcome().resume() != v1::RESUMED) {
      last_seq_ = msg.welcome().seq();
      seen_seq_ = true;
    }
    if (on_welcome) on_welcome(*welcome_);
  } else if (msg.has_ack()) {
    if (msg.ack().id() == c->hello_id) return on_hello_ack(c, msg.ack());
    commands_.complete(msg.ack());
  } else if (msg.has_event()) {
    const auto& ev = msg.event();
    if (seen_seq_ && ev.seq() <= last_seq_) return;  // already delivered
    if (seen_seq_ && ev.seq() != last_seq_ + 1) {
      // Never expected from a correct server; resuming fills the gap.
      beast::get_lowest_layer(c->ws).socket().close();
      return;
    }
    last_seq_ = ev.seq();
    seen_seq_ = true;
    if (on_event) on_event(ev);
  }
}

void Client::on_hello_ack(const std::shared_ptr<Connection>& c, const v1::Ack& ack) {
  if (ack.has_error()) {
    const auto& e = ack.error();
    if (e.code() == v1::UNAVAILABLE) return lost(c, 0, "join: " + e.message());
    // Not transient: the same Hello would be refused again.
    const auto why = "join refused: " + v1::ErrorCode_Name(e.code()) + ": " + e.message();
    join_refusal_ = e;
    c->done = true;
    conn_.reset();
    beast::get_lowest_layer(c->ws).close();
    set_state(State::stopped, why);
    commands_.fail_all(why);
    return;
  }
  c->joined = true;
  backoff_ = std::chrono::milliseconds(0);
  set_state(State::joined, opts_.panel_id);
  std::vector<std::string> refused;
  commands_.for_each([&](const v1::ClientMessage& m) {
    if (!write(c, m)) refused.push_back(m.id());
  });
  for (const auto& id : refused) refuse(id);
}

std::string Client::send_chat(std::string text, AckHandler done) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(std::move(text));
  return send(std::move(m), std::move(done));
}

std::string Client::delete_chat(std::uint64_t chat_seq, AckHandler done) {
  v1::ClientMessage m;
  m.mutable_delete_chat()->set_chat_seq(chat_seq);
  return send(std::move(m), std::move(done));
}

std::string Client::ping(AckHandler done) {
  v1::ClientMessage m;
  m.mutable_ping();
  return send(std::move(m), std::move(done));
}

std::string Client::send(v1::ClientMessage cmd, AckHandler done) {
  // Unique across runs too: a client id kept between runs must not make a
  // new command look like a retry of an old one.
  if (cmd.id().empty()) cmd.set_id(id_prefix_ + std::to_string(next_id_++));
  auto id = cmd.id();
  if (state_ == State::stopped) {
    if (done) done(local_error(id, v1::UNAVAILABLE, "the client is stopped"));
    return id;
  }
  auto copy = cmd;
  if (!commands_.add(std::move(cmd), done)) {
    if (done) done(local_error(id, v1::UNAVAILABLE, "too many commands pending"));
    return id;
  }
  if (conn_ && conn_->joined && !write(conn_, copy)) refuse(id);
  return id;
}

bool Client::write(const std::shared_ptr<Connection>& c, const v1::ClientMessage& msg) {
  auto frame = encode(msg, opts_.format);
  if (c->out_bytes + frame.size() > kMaxQueuedBytes) return false;
  c->out_bytes += frame.size();
  c->out.push_back(std::move(frame));
  if (!c->writing) do_write(c);
  return true;
}

void Client::refuse(const std::string& id) {
  commands_.complete(local_error(id, v1::UNAVAILABLE, "too much waiting to be written"));
}

void Client::do_write(std::shared_ptr<Connection> c) {
  c->writing = true;
  c->ws.async_write(asio::buffer(c->out.front()),
                    [self = shared_from_this(), c](beast::error_code ec, std::size_t) {
                      c->writing = false;
                      if (c->done) return;
                      if (ec) return self->lost(c, 0, "write: " + ec.message());
                      c->out_bytes -= c->out.front().size();
                      c->out.pop_front();
                      if (!c->out.empty()) self->do_write(c);
                    });
}

void Client::lost(const std::shared_ptr<Connection>& c, std::uint16_t code,
                  const std::string& why) {
  if (c->done) return;
  c->done = true;
  beast::error_code ignored;
  beast::get_lowest_layer(c->ws).socket().close(ignored);
  if (conn_ == c) conn_.reset();
  if (on_close) on_close(code, why);
  if (state_ == State::stopped) return;
  if (is_permanent(code) || !opts_.reconnect) {
    set_state(State::stopped, why);
    commands_.fail_all("connection closed: " + why);
    return;
  }
  set_state(State::disconnected, why);
  schedule_reconnect();
}

void Client::schedule_reconnect() {
  backoff_ =
      backoff_.count() == 0 ? opts_.reconnect_min : std::min(backoff_ * 2, opts_.reconnect_max);
  // Jitter in [backoff/2, backoff] spreads a crowd of clients that lost the
  // same server.
  auto half = backoff_.count() / 2;
  auto delay = std::chrono::milliseconds(
      half + static_cast<long>(rng()() % static_cast<std::uint64_t>(half + 1)));
  if (opts_.reconnect_min == opts_.reconnect_max) delay = opts_.reconnect_min;
  reconnect_timer_->t.expires_after(delay);
  reconnect_timer_->t.async_wait([weak = weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->state_ == State::stopped) return;
    self->connect();
  });
}

}  // namespace panelwire::client
