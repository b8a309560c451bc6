// wss:// in front of the relay: haproxy, configured from deploy/haproxy.cfg.in
// as deploy/cluster.sh does, terminates TLS with a certificate made for it;
// a real TLS client that trusts that certificate only joins through it and
// chats with a client on the plain side, and one that does not trust it is
// refused at the handshake.

#include <gtest/gtest.h>

#include "client_commands.h"
#include "haproxy_process.h"
#include "raw_client.h"
#include "server_process.h"
#include "tls_support.h"

namespace panelwire::test {
namespace {

TEST(Tls, HaproxyTerminatesWssForTheRelayBehindIt) {
  ServerProcess relay({"--trusted-proxy", "127.0.0.1"});
  HaproxyProcess proxy({relay.port()}, /*tls=*/true);

  RawClient plain(relay.port());
  plain.join("tls", "Plain");
  TlsClient secure(proxy.tls_port(), proxy.certificate());
  ASSERT_NO_FATAL_FAILURE(secure.join("tls", "Secure"));

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
