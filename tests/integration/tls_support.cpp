#include "tls_support.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace panelwire::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;

namespace {

std::string hex_digest(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1) return {};
  std::string out;
  char two[3];
  for (unsigned i = 0; i < n; ++i) {
    std::snprintf(two, sizeof two, "%02x", md[i]);
    out += two;
  }
  return out;
}

void connect_tls(beast::ssl_stream<beast::tcp_stream>& s, unsigned short port) {
  auto& tcp = beast::get_lowest_layer(s);
  tcp.expires_after(std::chrono::seconds(10));
  tcp.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  s.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  s.handshake(ssl::stream_base::client);
}

void trust(ssl::context& ctx, const std::string& certificate) {
  ctx.set_verify_mode(ssl::verify_peer);
  if (!certificate.empty()) ctx.load_verify_file(certificate);
}

}  // namespace

TestCertificate make_certificate(const std::string& dir, const std::string& name) {
  TestCertificate c{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
  const auto made =
      std::system(("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
                   " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + c.key +
                   " -out " + c.cert + " 2>/dev/null")
                      .c_str());
  if (made != 0) throw std::runtime_error("openssl could not make a certificate");
  return c;
}

std::string fingerprint_of_file(const std::string& file) {
  std::FILE* f = std::fopen(file.c_str(), "r");
  if (!f) return {};
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  auto out = hex_digest(cert);
  X509_free(cert);
  return out;
}

TlsClient::TlsClient(unsigned short port, const std::string& trusted_certificate) {
  trust(ctx_, trusted_certificate);
  ws_.emplace(io_, ctx_);
  connect_tls(ws_->next_layer(), port);
  ws_->set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
    req.set(beast::http::field::sec_websocket_protocol, "panelwire.v1.json");
  }));
  ws_->handshake("127.0.0.1:" + std::to_string(port), "/v1/ws");
  beast::get_lowest_layer(*ws_).expires_never();
  ws_->text(true);
}

void TlsClient::send(const v1::ClientMessage& m) {
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(m, &text);
  ws_->write(asio::buffer(text));
}

v1::ServerMessage TlsClient::read() {
  beast::flat_buffer buf;
  beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(10));
  ws_->read(buf);
  v1::ServerMessage m;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(beast::buffers_to_string(buf.data()), &m).ok());
  return m;
}

v1::Ack TlsClient::ack(const std::string& id) {
  for (int i = 0; i < 50; ++i) {
    auto m = read();
    if (m.has_ack() && m.ack().id() == id) return m.ack();
  }
  ADD_FAILURE() << "no ack for " << id;
  return {};
}

void TlsClient::join(const std::string& panel, const std::string& name) {
  v1::ClientMessage hello;
  hello.set_id("h");
  hello.mutable_hello()->set_panel_id(panel);
  hello.mutable_hello()->set_display_name(name);
  send(hello);
  auto welcome = read();
  ASSERT_TRUE(welcome.has_welcome()) << welcome.DebugString();
  EXPECT_FALSE(ack("h").has_error());
}

std::string TlsClient::peer_fingerprint() {
  X509* cert = SSL_get1_peer_certificate(ws_->next_layer().native_handle());
  auto out = hex_digest(cert);
  X509_free(cert);
  return out;
}

bool TlsClient::close() {
  beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(10));
  beast::error_code ec;
  ws_->close(websocket::close_code::normal, ec);
  return !ec;
}

unsigned TlsClient::read_until_close(std::chrono::seconds within) {
  beast::get_lowest_layer(*ws_).expires_after(within);
  beast::flat_buffer buf;
  for (;;) {
    beast::error_code ec;
    ws_->read(buf, ec);
    if (ec == websocket::error::closed) return ws_->reason().code;
    if (ec) return 0;
    buf.clear();
  }
}

std::pair<unsigned, std::string> https_get(unsigned short port,
                                           const std::string& trusted_certificate,
                                           const std::string& target) {
  asio::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  trust(ctx, trusted_certificate);
  beast::ssl_stream<beast::tcp_stream> s(io, ctx);
  connect_tls(s, port);
  beast::http::request<beast::http::empty_body> req(beast::http::verb::get, target, 11);
  req.set(beast::http::field::host, "127.0.0.1:" + std::to_string(port));
  req.keep_alive(false);
  beast::http::write(s, req);
  beast::flat_buffer buf;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(s, buf, res);
  return {res.result_int(), res.body()};
}

}  // namespace panelwire::test
