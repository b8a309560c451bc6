// wss:// and https:// on the relay itself (--tls-cert, --tls-key): real
// TLS clients that trust the certificate made for the test and nothing
// else join, chat in one order and read /readyz; plain HTTP to the TLS port
// and a client that does not trust it get nowhere and disturb nobody;
// SIGHUP takes a renewed certificate for new connections while open ones
// go on, and a broken renewal keeps the pair in use.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "client_commands.h"
#include "raw_client.h"
#include "server_process.h"
#include "tls_support.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

using namespace std::chrono_literals;

v1::ClientMessage chat_message(const std::string& text) {
  v1::ClientMessage m;
  m.mutable_send_chat()->set_text(text);
  return m;
}

// The relay's certificate files, in a directory of the test's own; renewed
// by copying another pair over them, as an operator's tooling does.
struct RelayFiles {
  std::string dir = std::filesystem::path(temp_path("tls")).parent_path().string();
  std::string cert = dir + "/relay.crt";
  std::string key = dir + "/relay.key";
  void install(const TestCertificate& c) const {
    std::filesystem::copy_file(c.cert, cert, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(c.key, key, std::filesystem::copy_options::overwrite_existing);
  }
  std::vector<std::string> args() const { return {"--tls-cert", cert, "--tls-key", key}; }
};

// Whether a plain-HTTP GET of /readyz on `port` gets a 200.
bool plain_http_answers(unsigned short port) {
  try {
    return RawClient::http_get(port, "/readyz").first == 200;
  } catch (const std::exception&) {
    return false;
  }
}

TEST(RelayTls, WssClientsChatInOneOrderAndHttpsServesReadyz) {
  RelayFiles files;
  const auto cert = make_certificate(files.dir, "first");
  files.install(cert);
  ServerProcess relay(files.args());
  EXPECT_TRUE(relay.log_shows("tls=on"));

  TlsClient ann(relay.port(), cert.cert), bob(relay.port(), cert.cert);
  ASSERT_NO_FATAL_FAILURE(ann.join("secure", "Ann"));
  ASSERT_NO_FATAL_FAILURE(bob.join("secure", "Bob"));
  // Long enough to span TLS records and reads (the relay reads 4 KiB at a
  // time): each arrives whole, once, in order.
  std::vector<std::uint64_t> seqs;
  for (int i = 0; i < 5; ++i) {
    const auto id = "c" + std::to_string(i);
    ann.send(with_id(chat_message(std::to_string(i) + std::string(1500, 'x')), id));
    const auto a = ann.ack(id);
    ASSERT_FALSE(a.has_error()) << a.DebugString();
    seqs.push_back(a.seq());
  }
  for (int i = 0; i < 5; ++i) {
    v1::ServerMessage m;
    do m = bob.read();
    while (!m.has_event() || !m.event().has_chat_posted());
    EXPECT_EQ(m.event().seq(), seqs[i]);
    EXPECT_EQ(m.event().chat_posted().text(), std::to_string(i) + std::string(1500, 'x'));
  }
  EXPECT_EQ(https_get(relay.port(), cert.cert, "/readyz"), std::pair(200u, std::string("ready\n")));
}

TEST(RelayTls, PlainHttpAndAnUntrustingClientGetNowhereAndDisturbNobody) {
  RelayFiles files;
  const auto cert = make_certificate(files.dir, "first");
  files.install(cert);
  ServerProcess relay(files.args());
  TlsClient ann(relay.port(), cert.cert);
  ASSERT_NO_FATAL_FAILURE(ann.join("secure", "Ann"));

  EXPECT_FALSE(plain_http_answers(relay.port())) << "the TLS port speaks TLS only";
  EXPECT_THROW(TlsClient(relay.port(), ""), boost::system::system_error)
      << "a client that does not trust the certificate stops at the handshake";
  // Meanwhile the joined client goes on.
  ann.send(with_id(chat_message("still here"), "c1"));
  EXPECT_FALSE(ann.ack("c1").has_error());
}

TEST(RelayTls, LargePipelinedMessagesCrossRecordsReadsAndPausesWhole) {
  RelayFiles files;
  const auto cert = make_certificate(files.dir, "first");
  files.install(cert);
  // One command in flight: the relay stops reading after each, with the
  // rest of what TLS gave it held, and reads on after the ack.
  auto args = files.args();
  args.insert(args.end(), {"--max-chat-chars", "20000", "--chat-per-minute", "0",
                           "--max-inflight-commands", "1"});
  ServerProcess relay(args);
  TlsClient ann(relay.port(), cert.cert), bob(relay.port(), cert.cert);
  ASSERT_NO_FATAL_FAILURE(ann.join("large", "Ann"));
  ASSERT_NO_FATAL_FAILURE(bob.join("large", "Bob"));
  // Up to 60 KB a message (three-byte characters): several TLS records
  // and many of the relay's 4 KiB reads each, all sent before any ack.
  std::vector<std::string> texts;
  for (int i = 0; i < 12; ++i) {
    std::string text = std::to_string(i) + ":";
    for (int k = 0; k < 1 + i * 1800; ++k) text += "\u20ac";
    texts.push_back(text);
    ann.send(with_id(chat_message(text), "c" + std::to_string(i)));
  }
  std::vector<std::uint64_t> seqs;
  for (int i = 0; i < 12; ++i) {
    const auto a = ann.ack("c" + std::to_string(i));
    ASSERT_FALSE(a.has_error()) << a.DebugString();
    seqs.push_back(a.seq());
  }
  for (int i = 0; i < 12; ++i) {
    v1::ServerMessage m;
    do m = bob.read();
    while (!m.has_event() || !m.event().has_chat_posted());
    EXPECT_EQ(m.event().seq(), seqs[i]);
    EXPECT_EQ(m.event().chat_posted().text(), texts[i]) << "message " << i << " whole";
  }
}

TEST(RelayTls, ASilentConnectionIsCutAtTheHandshakeDeadline) {
  RelayFiles files;
  const auto cert = make_certificate(files.dir, "first");
  files.install(cert);
  auto args = files.args();
  args.insert(args.end(), {"--handshake-timeout-ms", "300"});
  ServerProcess relay(args);
  // TCP only, no ClientHello: the relay must not hold it.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_port = htons(relay.port());
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  pollfd p{fd, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10'000), 1) << "still open after 10 s";
  char byte;
  EXPECT_LE(::recv(fd, &byte, 1, 0), 0) << "closed, nothing said";
  ::close(fd);
}

TEST(RelayTls, ACloseHandshakeAndASlowReaderEndAsTheyDoInPlain) {
  RelayFiles files;
  const auto cert = make_certificate(files.dir, "first");
  files.install(cert);
  auto args = files.args();
  args.insert(args.end(), {"--chat-per-minute", "0", "--outbound-queue-bytes", "65536",
                           "--socket-send-buffer-bytes", "8192"});
  ServerProcess relay(args);
  TlsClient leaving(relay.port(), cert.cert);
  ASSERT_NO_FATAL_FAILURE(leaving.join("ending", "Leaving"));
  EXPECT_TRUE(leaving.close()) << "our close frame answered with the relay's";

  TlsClient stalled(relay.port(), cert.cert), writer(relay.port(), cert.cert);
  ASSERT_NO_FATAL_FAILURE(stalled.join("ending", "Stalled"));
  ASSERT_NO_FATAL_FAILURE(writer.join("ending", "Writer"));
  // The stalled one reads nothing while some 400 KB are sent to it: past
  // the socket buffers, the TLS records and the 64 KiB queue.
  for (int i = 0; i < 250; ++i) {
    writer.send(with_id(chat_message(std::string(1600, 'z')), "w" + std::to_string(i)));
    ASSERT_FALSE(writer.ack("w" + std::to_string(i)).has_error());
  }
  EXPECT_EQ(stalled.read_until_close(), 4000u) << "cut as a slow consumer";
  writer.send(with_id(chat_message("after"), "last"));
  EXPECT_FALSE(writer.ack("last").has_error()) << "the others go on";
}

TEST(RelayTls, HandshakesPastTheAddressRateAreClosedBeforeTheirHandshake) {
  RelayFiles files;
  const auto cert = make_certificate(files.dir, "first");
  files.install(cert);
  auto args = files.args();
  args.insert(args.end(), {"--tls-handshake-burst-per-address", "3",
                           "--tls-handshakes-per-address-per-minute", "1"});
  ServerProcess relay(args);
  TlsClient a(relay.port(), cert.cert), b(relay.port(), cert.cert), c(relay.port(), cert.cert);
  EXPECT_THROW(TlsClient(relay.port(), cert.cert), boost::system::system_error);
  EXPECT_TRUE(relay.log_shows("reason=tls_handshake_rate client=127.0.0.1"));
  // Those in keep going.
  ASSERT_NO_FATAL_FAILURE(a.join("paced", "A"));
  a.send(with_id(chat_message("still here"), "c1"));
  EXPECT_FALSE(a.ack("c1").has_error());
}

TEST(RelayTls, SighupTakesARenewedCertificateForNewConnectionsAndOpenOnesGoOn) {
  RelayFiles files;
  const auto first = make_certificate(files.dir, "first");
  const auto second = make_certificate(files.dir, "second");
  files.install(first);
  // Its clients read nothing at the end: the drain need not wait long.
  auto args = files.args();
  args.insert(args.end(), {"--close-timeout-ms", "300"});
  ServerProcess relay(args);
  TlsClient early(relay.port(), first.cert);
  ASSERT_NO_FATAL_FAILURE(early.join("renewal", "Early"));
  EXPECT_EQ(early.peer_fingerprint(), fingerprint_of_file(first.cert));

  files.install(second);
  ASSERT_EQ(::kill(relay.pid(), SIGHUP), 0);
  ASSERT_TRUE(relay.log_shows("event=tls_reloaded")) << relay.log();
  TlsClient late(relay.port(), second.cert);
  EXPECT_EQ(late.peer_fingerprint(), fingerprint_of_file(second.cert));
  ASSERT_NO_FATAL_FAILURE(late.join("renewal", "Late"));
  EXPECT_THROW(TlsClient(relay.port(), first.cert), boost::system::system_error)
      << "the old certificate is no longer offered";
  // The connection made before the renewal is untouched.
  early.send(with_id(chat_message("made before the renewal"), "c1"));
  const auto sent = early.ack("c1");
  ASSERT_FALSE(sent.has_error());
  v1::ServerMessage m;
  do m = late.read();
  while (!m.has_event() || !m.event().has_chat_posted());
  EXPECT_EQ(m.event().seq(), sent.seq());

  // A renewal copied half-way (a truncated certificate): refused, logged,
  // and the pair in use stays.
  std::ofstream(files.cert, std::ios::trunc) << "-----BEGIN CERTIFICATE-----\nMIIB\n";
  ASSERT_EQ(::kill(relay.pid(), SIGHUP), 0);
  ASSERT_TRUE(relay.log_shows("event=tls_reload_failed")) << relay.log();
  TlsClient after(relay.port(), second.cert);
  EXPECT_EQ(after.peer_fingerprint(), fingerprint_of_file(second.cert));
  EXPECT_EQ(relay.stop(SIGTERM), 0) << "SIGHUP never ended it";
}

TEST(RelayTls, SighupWithoutTlsLeavesThePlainRelayRunning) {
  ServerProcess relay;
  ASSERT_EQ(::kill(relay.pid(), SIGHUP), 0);
  ASSERT_TRUE(relay.log_shows("event=sighup"));
  EXPECT_TRUE(plain_http_answers(relay.port()));
}

TEST(RelayTls, ACertificateOrKeyItCannotUseStopsItAndSaysWhich) {
  RelayFiles files;
  const auto first = make_certificate(files.dir, "first");
  const auto second = make_certificate(files.dir, "second");
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string named;
  };
  for (const auto& c :
       std::vector<Case>{{{"--tls-cert", first.cert}, 2, "--tls-key"},
                         {{"--tls-cert", "/nonexistent/relay.crt", "--tls-key", first.key},
                          2,
                          "/nonexistent/relay.crt"},
                         {{"--tls-cert", first.cert, "--tls-key", second.key}, 1, second.key},
                         {{"--tls-cert", first.key, "--tls-key", first.key}, 1, first.key}}) {
    auto args = c.args;
    for (const auto& extra :
         {std::string("--listen"), std::string("127.0.0.1:0"), std::string("--in-memory"),
          std::string("--outbox"), temp_path("outbox.jsonl")})
      args.push_back(extra);
    auto run = run_tool(PANELWIRE_SERVER_BIN, args, {}, 10s);
    EXPECT_EQ(run.exit_code, c.exit_code) << c.named << ": " << run.err;
    EXPECT_NE(run.err.find(c.named), std::string::npos) << "the message names it: " << run.err;
  }
}

}  // namespace
}  // namespace panelwire::test
