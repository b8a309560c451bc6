#include "raw_client.h"

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace panelwire::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

void connect_and_upgrade(websocket::stream<beast::tcp_stream>& ws, unsigned short port,
                         const RawOptions& opts, websocket::response_type& res,
                         beast::error_code& ec) {
  auto& sock = beast::get_lowest_layer(ws).socket();
  sock.open(tcp::v4());
  if (opts.rcvbuf > 0) sock.set_option(asio::socket_base::receive_buffer_size(opts.rcvbuf));
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  // A masked frame past Beast's 4 KiB write buffer goes out in pieces; with
  // Nagle on, each piece after the first waits for the server's delayed ACK.
  sock.set_option(tcp::no_delay(true));
  ws.set_option(websocket::stream_base::decorator([opts](websocket::request_type& r) {
    if (!opts.subprotocol.empty())
      r.set(beast::http::field::sec_websocket_protocol, opts.subprotocol);
    if (!opts.origin.empty()) r.set(beast::http::field::origin, opts.origin);
    if (!opts.forwarded_for_first.empty()) r.insert("X-Forwarded-For", opts.forwarded_for_first);
    if (!opts.forwarded_for.empty()) r.insert("X-Forwarded-For", opts.forwarded_for);
  }));
  ws.handshake(res, "127.0.0.1:" + std::to_string(port), opts.target, ec);
}

}  // namespace

RawClient::RawClient(unsigned short port, RawOptions opts) : ws_(io_) {
  websocket::response_type res;
  beast::error_code ec;
  connect_and_upgrade(ws_, port, opts, res, ec);
  if (ec) throw std::runtime_error("upgrade refused: " + ec.message());
  json_ = opts.subprotocol != "panelwire.v1.proto";
  ws_.binary(!json_);
}

unsigned RawClient::try_upgrade(unsigned short port, RawOptions opts) {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws(io);
  websocket::response_type res;
  beast::error_code ec;
  connect_and_upgrade(ws, port, opts, res, ec);
  return res.result_int();
}

std::pair<unsigned, std::string> RawClient::http_get(unsigned short port,
                                                     const std::string& target) {
  auto [status, headers, body] = http_exchange(port, target);
  return {status, body};
}

std::tuple<unsigned, std::string, std::string> RawClient::http_exchange(unsigned short port,
                                                                        const std::string& target) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, target, 11);
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(stream, req);
  beast::flat_buffer buf;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buf, res);
  std::string headers;
  for (const auto& f : res)
    headers += std::string(f.name_string()) + ": " + std::string(f.value()) + "\n";
  return {res.result_int(), headers, res.body()};
}

void RawClient::send_text(std::string_view data) {
  ws_.text(true);
  ws_.write(asio::buffer(data));
  ws_.binary(!json_);
}

void RawClient::ping() {
  ws_.ping({});
}

void RawClient::send_binary(std::string_view data) {
  ws_.binary(true);
  ws_.write(asio::buffer(data));
  ws_.binary(!json_);
}

void RawClient::send(const v1::ClientMessage& msg) {
  std::string out;
  if (json_) {
    (void)google::protobuf::util::MessageToJsonString(msg, &out);
    send_text(out);
  } else {
    msg.SerializeToString(&out);
    send_binary(out);
  }
}

std::optional<v1::ServerMessage> RawClient::read(std::chrono::milliseconds timeout) {
  if (closed_) return std::nullopt;
  if (!reading_) {
    reading_ = true;
    read_done_ = false;
    ws_.async_read(buf_, [this](beast::error_code ec, std::size_t) {
      read_ec_ = ec;
      read_done_ = true;
    });
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!read_done_ && std::chrono::steady_clock::now() < deadline) {
    io_.restart();
    io_.run_one_until(deadline);
  }
  if (!read_done_) return std::nullopt;
  reading_ = false;
  if (read_ec_) {
    closed_ = true;
    close_code_ = ws_.reason().code;
    return std::nullopt;
  }
  auto data = beast::buffers_to_string(buf_.data());
  buf_.consume(buf_.size());
  v1::ServerMessage msg;
  bool ok = json_ ? google::protobuf::util::JsonStringToMessage(data, &msg).ok()
                  : msg.ParseFromString(data);
  EXPECT_TRUE(ok) << "server sent an undecodable frame: " << data;
  EXPECT_EQ(ws_.got_text(), json_) << "server answered in the wrong frame type";
  return msg;
}

std::uint16_t RawClient::read_until_close(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_ && std::chrono::steady_clock::now() < deadline)
    read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::steady_clock::now()));
  return closed_ ? close_code_ : 0;
}

v1::Welcome RawClient::join(const std::string& panel, const std::string& name,
                            const std::string& client_id, std::optional<std::uint64_t> resume,
                            const std::string& token) {
  v1::ClientMessage hello;
  hello.set_id("hello");
  hello.mutable_hello()->set_panel_id(panel);
  hello.mutable_hello()->set_display_name(name);
  hello.mutable_hello()->set_client_id(client_id);
  if (resume) hello.mutable_hello()->set_resume_after(*resume);
  hello.mutable_hello()->set_token(token);
  send(hello);
  auto welcome = read();
  EXPECT_TRUE(welcome && welcome->has_welcome()) << (welcome ? welcome->DebugString() : "nothing");
  auto ack = read();
  EXPECT_TRUE(ack && ack->has_ack() && ack->ack().id() == "hello" && !ack->ack().has_error())
      << (ack ? ack->DebugString() : "nothing");
  return welcome ? welcome->welcome() : v1::Welcome{};
}

v1::Ack RawClient::command(v1::ClientMessage msg, std::vector<v1::Event>* events) {
  send(msg);
  while (auto m = read()) {
    if (m->has_ack()) {
      EXPECT_EQ(m->ack().id(), msg.id());
      return m->ack();
    }
    if (m->has_event() && events) events->push_back(m->event());
  }
  ADD_FAILURE() << "no ack for " << msg.id();
  return {};
}

v1::Ack RawClient::chat(const std::string& id, const std::string& text,
                        std::vector<v1::Event>* events) {
  v1::ClientMessage msg;
  msg.set_id(id);
  msg.mutable_send_chat()->set_text(text);
  return command(std::move(msg), events);
}

}  // namespace panelwire::test
