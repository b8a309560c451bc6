// wss:// in front of the relay: haproxy, configured from deploy/haproxy.cfg.in
// as deploy/cluster.sh does, terminates TLS with a certificate made for it;
// a real TLS client that trusts that certificate only joins through it and
// chats with a client on the plain side, and one that does not trust it is
// refused at the handshake.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "client_commands.h"
#include "haproxy_process.h"
#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
namespace websocket = beast::websocket;

// A WebSocket client over TLS speaking the JSON subprotocol.
class TlsClient {
 public:
  // Throws when the TLS or WebSocket handshake fails.
  TlsClient(unsigned short port, const std::string& trusted_certificate) {
    ctx_.set_verify_mode(ssl::verify_peer);
    if (!trusted_certificate.empty()) ctx_.load_verify_file(trusted_certificate);
    ws_.emplace(io_, ctx_);
    auto& tcp = beast::get_lowest_layer(*ws_);
    tcp.expires_after(std::chrono::seconds(10));
    tcp.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_->next_layer().set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    ws_->next_layer().handshake(ssl::stream_base::client);
    ws_->set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
      req.set(beast::http::field::sec_websocket_protocol, "panelwire.v1.json");
    }));
    ws_->handshake("127.0.0.1:" + std::to_string(port), "/v1/ws");
    tcp.expires_never();
    ws_->text(true);
  }

  void send(const v1::ClientMessage& m) {
    std::string text;
    (void)google::protobuf::util::MessageToJsonString(m, &text);
    ws_->write(asio::buffer(text));
  }
  v1::ServerMessage read() {
    beast::flat_buffer buf;
    beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(10));
    ws_->read(buf);
    v1::ServerMessage m;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(beast::buffers_to_string(buf.data()), &m).ok());
    return m;
  }
  // The ack of `id`, past what comes before it.
  v1::Ack ack(const std::string& id) {
    for (int i = 0; i < 20; ++i) {
      auto m = read();
      if (m.has_ack() && m.ack().id() == id) return m.ack();
    }
    ADD_FAILURE() << "no ack for " << id;
    return {};
  }

 private:
  asio::io_context io_;
  ssl::context ctx_{ssl::context::tls_client};
  std::optional<websocket::stream<beast::ssl_stream<beast::tcp_stream>>> ws_;
};

TEST(Tls, HaproxyTerminatesWssForTheRelayBehindIt) {
  ServerProcess relay({"--trusted-proxy", "127.0.0.1"});
  HaproxyProcess proxy({relay.port()}, /*tls=*/true);

  RawClient plain(relay.port());
  plain.join("tls", "Plain");
  TlsClient secure(proxy.tls_port(), proxy.certificate());
  v1::ClientMessage hello;
  hello.set_id("h");
  hello.mutable_hello()->set_panel_id("tls");
  hello.mutable_hello()->set_display_name("Secure");
  secure.send(hello);
  auto welcome = secure.read();
  ASSERT_TRUE(welcome.has_welcome()) << welcome.DebugString();
  EXPECT_FALSE(secure.ack("h").has_error());

  secure.send(with_id(
      [] {
        v1::ClientMessage m;
        m.mutable_send_chat()->set_text("sent over wss://");
        return m;
      }(),
      "c1"));
  const auto sent = secure.ack("c1");
  ASSERT_FALSE(sent.has_error()) << sent.DebugString();
  auto seen = plain.read(10s);
  ASSERT_TRUE(seen && seen->has_event());
  EXPECT_EQ(seen->event().chat_posted().text(), "sent over wss://");
  EXPECT_EQ(seen->event().chat_posted().author().display_name(), "Secure");
  EXPECT_EQ(seen->event().seq(), sent.seq());
}

TEST(Tls, AClientThatDoesNotTrustTheCertificateIsRefusedAtTheHandshake) {
  ServerProcess relay({"--trusted-proxy", "127.0.0.1"});
  HaproxyProcess proxy({relay.port()}, /*tls=*/true);
  // No trusted certificate: the self-signed one fails verification.
  EXPECT_THROW(TlsClient(proxy.tls_port(), ""), boost::system::system_error);
  // The plain port is there still, for what runs inside the network.
  EXPECT_EQ(RawClient::http_get(proxy.port(), "/readyz").first, 200u);
}

}  // namespace
}  // namespace panelwire::test
