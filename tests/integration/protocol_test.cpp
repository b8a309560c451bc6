// The real server binary, spoken to frame by frame: joining, chat order,
// retries, and every kind of bad input with its code.

#include <signal.h>

#include <future>
#include <thread>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

v1::ClientMessage make_chat(const std::string& id, const std::string& text) {
  v1::ClientMessage m;
  m.set_id(id);
  m.mutable_send_chat()->set_text(text);
  return m;
}

// After a bad client, a good one still joins and chats.
void expect_server_serves(unsigned short port, const std::string& panel = "health") {
  RawClient c(port);
  c.join(panel, "Checker");
  auto ack = c.chat("probe", "still there?");
  EXPECT_FALSE(ack.has_error());
  EXPECT_GT(ack.seq(), 0u);
}

class Protocol : public ::testing::Test {
 protected:
  ServerProcess server{{"--join-timeout-ms", "500", "--max-chat-chars", "20"}};
};

TEST(Pages, ServedFromTheWebRootInMemory) {
  auto index = temp_path("index.html");
  const auto root = index.substr(0, index.rfind('/'));
  std::filesystem::create_directories(root + "/assets");
  std::ofstream(index) << "<!doctype html><title>pages</title>";
  std::ofstream(root + "/assets/app-1234.js") << "console.log(1)";
  ServerProcess server({"--web-root", root});
  // Written after the start: the relay serves what it read then.
  std::ofstream(root + "/late.txt") << "too late";
  const std::string page = "<!doctype html><title>pages</title>";
  for (const char* route : {"/", "/p/nov-panel", "/p/nov-panel/", "/p/nov-panel/moderate",
                            "/p/nov-panel/stage", "/index.html"})
    EXPECT_EQ(RawClient::http_get(server.port(), route), std::make_pair(200u, page)) << route;
  EXPECT_EQ(RawClient::http_get(server.port(), "/assets/app-1234.js"),
            std::make_pair(200u, std::string("console.log(1)")));
  for (const char* missing : {"/p/nov-panel/other", "/p//stage", "/assets/none.js",
                              "/../index.html", "/assets/../../etc/passwd", "/late.txt"})
    EXPECT_EQ(RawClient::http_get(server.port(), missing).first, 404u) << missing;
  EXPECT_EQ(RawClient::http_get(server.port(), "/healthz").first, 200u) << "the rest unchanged";
}

// GET `target` with a receive buffer of 4 KiB, reading 4 KiB at a time,
// waiting `first` before the first read and `pause` before each other: the
// bytes received until the relay closed the connection.
std::size_t slow_get(unsigned short port, const std::string& target,
                     std::chrono::milliseconds first, std::chrono::milliseconds pause) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket sock(io);
  sock.open(asio::ip::tcp::v4());
  sock.set_option(asio::socket_base::receive_buffer_size(4096));
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(sock, asio::buffer("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                 "Connection: close\r\n\r\n"));
  std::size_t total = 0;
  char buf[4096];
  std::this_thread::sleep_for(first);
  for (;;) {
    std::this_thread::sleep_for(pause);
    boost::system::error_code ec;
    auto n = sock.read_some(asio::buffer(buf), ec);
    total += n;
    if (ec) return total;
  }
}

// Writes `request` as it is and reads the answer to the server's end:
// the status of its first line (0 when there is none) and how long the
// server took to end the connection.
std::pair<unsigned, std::chrono::milliseconds> raw_http(unsigned short port,
                                                        const std::string& request) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket sock(io);
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  const auto t0 = std::chrono::steady_clock::now();
  if (!request.empty()) asio::write(sock, asio::buffer(request));
  std::string answer;
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    auto n = sock.read_some(asio::buffer(buf), ec);
    answer.append(buf, n);
    if (ec) break;
  }
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  unsigned status = 0;
  if (answer.rfind("HTTP/1.1 ", 0) == 0) status = std::stoul(answer.substr(9, 3));
  return {status, took};
}

// A page's write has its own deadline, by its size: a large asset reaches a
// slow but steady reader whole, long past the request's deadline, and a
// reader that stops is still cut.
TEST(Pages, ALargeAssetReachesASlowReaderAndAStalledOneIsCut) {
  auto index = temp_path("index.html");
  const auto root = index.substr(0, index.rfind('/'));
  std::filesystem::create_directories(root + "/assets");
  std::ofstream(index) << "<!doctype html><title>pages</title>";
  const std::size_t size = 512u << 10;
  std::ofstream(root + "/assets/big-1234.js") << std::string(size, 'x');
  const std::vector<std::string> flags = {
      "--web-root", root, "--handshake-timeout-ms", "300", "--socket-send-buffer-bytes", "4096"};
  {
    ServerProcess server(flags);
    // About 1.3 s for the whole asset: four times the request's deadline.
    EXPECT_GT(slow_get(server.port(), "/assets/big-1234.js", 0ms, 10ms), size);
  }
  auto stalls = flags;
  stalls.insert(stalls.end(), {"--page-min-bytes-per-second", std::to_string(1 << 20)});
  ServerProcess server(stalls);
  // Half a second for the request, half a second for 512 KiB at 1 MiB/s;
  // this reader waits 2 s before it reads at all.
  EXPECT_LT(slow_get(server.port(), "/assets/big-1234.js", 2000ms, 0ms), size);
}

TEST_F(Protocol, HttpEndpoints) {
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.target = "/elsewhere"}), 404u);
  EXPECT_EQ(RawClient::http_get(server.port(), "/healthz"),
            std::make_pair(200u, std::string("ok\n")));
  EXPECT_EQ(RawClient::http_get(server.port(), "/readyz"),
            std::make_pair(200u, std::string("ready\n")));
  EXPECT_EQ(RawClient::http_get(server.port(), "/nothing").first, 404u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.subprotocol = "chat.v9"}), 400u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.subprotocol = "panelwire.v1.proto"}), 101u);
  EXPECT_EQ(RawClient::try_upgrade(server.port(), {.subprotocol = "x, panelwire.v1.json"}), 101u);
  // No subprotocol at all: JSON, so that any WebSocket client works.
  RawClient bare(server.port(), {.subprotocol = ""});
  auto w = bare.join("p1", "Bare");
  EXPECT_EQ(w.resume(), v1::FRESH);
}

// The HTTP side's fixed limits (docs/security.md), each with its status,
// and a client that never sends its request cut at the handshake timeout.
TEST(Http, MethodsTargetsSizesAndTheHandshakeDeadline) {
  ServerProcess server({"--handshake-timeout-ms", "500"});
  const auto port = server.port();
  const std::string host = "Host: 127.0.0.1\r\nConnection: close\r\n";
  EXPECT_EQ(raw_http(port, "POST /healthz HTTP/1.1\r\n" + host + "\r\n").first, 405u);
  EXPECT_EQ(raw_http(port, "DELETE /v1/ws HTTP/1.1\r\n" + host + "\r\n").first, 405u);
  EXPECT_EQ(raw_http(port, "HEAD /healthz HTTP/1.1\r\n" + host + "\r\n").first, 200u);
  EXPECT_EQ(raw_http(port, "GET /v1/ws HTTP/1.1\r\n" + host + "\r\n").first, 426u)
      << "the WebSocket endpoint without an upgrade";
  // Headers up to 8 KiB pass; past it the request is refused.
  const auto header = [&](std::size_t bytes) {
    return "GET /healthz HTTP/1.1\r\n" + host + "X-Pad: " + std::string(bytes, 'a') + "\r\n\r\n";
  };
  EXPECT_EQ(raw_http(port, header(7000)).first, 200u);
  EXPECT_EQ(raw_http(port, header(9000)).first, 400u);
  // No request has a body.
  EXPECT_EQ(
      raw_http(port, "GET /healthz HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello").first,
      400u);
  // Silent after connecting: cut at the deadline, with no answer.
  auto [status, took] = raw_http(port, "");
  EXPECT_EQ(status, 0u);
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 5s);
  // Half a request, then silence: the same.
  std::tie(status, took) = raw_http(port, "GET /healthz HTTP/1.1\r\nHost: 1");
  EXPECT_EQ(status, 0u);
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 5s);
  expect_server_serves(port);
}

TEST_F(Protocol, JoinChatAndAckFollowsOwnEvent) {
  for (const char* sub : {"panelwire.v1.json", "panelwire.v1.proto"}) {
    SCOPED_TRACE(sub);
    RawClient c(server.port(), {.subprotocol = sub});
    auto w = c.join(std::string("room-") + (c.json() ? "j" : "p"), "Ann");
    EXPECT_EQ(w.resume(), v1::FRESH);
    EXPECT_EQ(w.seq(), 0u);
    EXPECT_EQ(w.you().display_name(), "Ann");
    EXPECT_EQ(w.you().role(), v1::ATTENDEE);
    EXPECT_EQ(w.limits().max_chat_chars(), 20u);

    std::vector<v1::Event> events;
    auto ack = c.chat("c1", "héllo ✓", &events);
    ASSERT_FALSE(ack.has_error()) << ack.DebugString();
    EXPECT_EQ(ack.seq(), 1u);
    ASSERT_EQ(events.size(), 1u) << "the sender's own event comes before its ack";
    EXPECT_EQ(events[0].seq(), 1u);
    EXPECT_EQ(events[0].chat_posted().text(), "héllo ✓");
    EXPECT_EQ(events[0].chat_posted().author().id(), w.you().id());
    EXPECT_GT(events[0].at_ms(), 0);
  }
}

TEST_F(Protocol, RetriedCommandIsAppliedOnceAcrossReconnects) {
  std::uint64_t first_seq = 0;
  {
    RawClient c(server.port());
    c.join("retry", "Ann", "client-ann");
    auto ack = c.chat("c1", "once");
    first_seq = ack.seq();
    ASSERT_EQ(first_seq, 1u);
  }
  RawClient again(server.port());
  auto w = again.join("retry", "Ann", "client-ann", first_seq);
  EXPECT_EQ(w.resume(), v1::RESUMED);
  std::vector<v1::Event> events;
  auto ack = again.chat("c1", "once", &events);
  EXPECT_FALSE(ack.has_error());
  EXPECT_EQ(ack.seq(), first_seq) << "the retry is answered with the first seq";
  EXPECT_TRUE(events.empty()) << "no second event";
  // The same id from another client is another command.
  RawClient other(server.port());
  other.join("retry", "Bob", "client-bob");
  EXPECT_EQ(other.chat("c1", "mine").seq(), 2u);
}

// --command-window and --command-window-clients, end to end: a retry is
// recognised while its id is among the client's last N, and while the
// client is among the panel's most recently active M; past either bound
// it is a new command (docs/protocol.md).
TEST(CommandWindow, ARetryIsRecognisedWithinBothBoundsAndAppliedAgainPastThem) {
  ServerProcess server({"--command-window", "2", "--command-window-clients", "2"});
  RawClient ann(server.port());
  ann.join("window", "Ann", "client-ann");
  EXPECT_EQ(ann.chat("a1", "one").seq(), 1u);
  EXPECT_EQ(ann.chat("a2", "two").seq(), 2u);
  EXPECT_EQ(ann.chat("a3", "three").seq(), 3u);
  EXPECT_EQ(ann.chat("a3", "three").seq(), 3u) << "among Ann's last two: recognised";
  EXPECT_EQ(ann.chat("a2", "two").seq(), 2u);
  EXPECT_EQ(ann.chat("a1", "one").seq(), 4u) << "her third-last id is forgotten";

  // Two other clients active after her: the panel forgets all of Ann's.
  RawClient bob(server.port()), cy(server.port());
  bob.join("window", "Bob", "client-bob");
  cy.join("window", "Cy", "client-cy");
  EXPECT_EQ(bob.chat("b1", "bob").seq(), 5u);
  EXPECT_EQ(cy.chat("c1", "cy").seq(), 6u);
  EXPECT_EQ(bob.chat("b1", "bob").seq(), 5u) << "Bob is among the last two clients";
  EXPECT_EQ(ann.chat("a1", "one").seq(), 7u) << "Ann, least recently active, is forgotten";
}

TEST_F(Protocol, ErrorAcksKeepTheConnection) {
  RawClient c(server.port());
  // Before Hello.
  auto ack = c.command(make_chat("early", "hi"));
  EXPECT_EQ(ack.error().code(), v1::NOT_JOINED);

  c.send_text("{not json");
  auto m = c.read();
  ASSERT_TRUE(m && m->has_ack());
  EXPECT_EQ(m->ack().id(), "");
  EXPECT_EQ(m->ack().error().code(), v1::MALFORMED);

  c.send_text(R"({"id":"u1","futureCommand":{"x":1}})");
  m = c.read();
  ASSERT_TRUE(m && m->has_ack());
  EXPECT_EQ(m->ack().id(), "u1");
  EXPECT_EQ(m->ack().error().code(), v1::UNKNOWN_COMMAND);

  c.send_text(R"({"hello":{"panelId":"x","displayName":"A"}})");
  m = c.read();
  ASSERT_TRUE(m && m->has_ack());
  EXPECT_EQ(m->ack().error().code(), v1::INVALID_ARGUMENT) << "command without id";

  v1::ClientMessage bad_panel;
  bad_panel.set_id("h0");
  bad_panel.mutable_hello()->set_panel_id("no spaces allowed");
  bad_panel.mutable_hello()->set_display_name("Ann");
  EXPECT_EQ(c.command(bad_panel).error().code(), v1::INVALID_ARGUMENT);

  v1::ClientMessage no_name = bad_panel;
  no_name.mutable_hello()->set_panel_id("errors");
  no_name.mutable_hello()->clear_display_name();
  EXPECT_EQ(c.command(no_name).error().code(), v1::INVALID_ARGUMENT);

  v1::ClientMessage future;
  future.set_id("h1");
  future.mutable_hello()->set_panel_id("errors");
  future.mutable_hello()->set_display_name("Ann");
  future.mutable_hello()->set_resume_after(99);
  EXPECT_EQ(c.command(future).error().code(), v1::INVALID_ARGUMENT)
      << "resume point from the future";

  c.join("errors", "Ann");
  v1::ClientMessage hello2 = future;
  hello2.set_id("h2");
  EXPECT_EQ(c.command(hello2).error().code(), v1::ALREADY_JOINED);

  EXPECT_EQ(c.chat("long", std::string(21, 'x')).error().code(), v1::TOO_LONG);
  EXPECT_FALSE(c.chat("exact", "ééééééééééééééééééé✓").has_error()) << "20 characters fit";
  EXPECT_EQ(c.chat("empty", "").error().code(), v1::INVALID_ARGUMENT);

  v1::ClientMessage del;
  del.set_id("d1");
  del.mutable_delete_chat()->set_chat_seq(1);
  EXPECT_EQ(c.command(del).error().code(), v1::FORBIDDEN) << "attendees do not delete";

  v1::ClientMessage ping;
  ping.set_id("p1");
  ping.mutable_ping();
  EXPECT_FALSE(c.command(ping).has_error());
  EXPECT_FALSE(c.closed());
}

TEST_F(Protocol, MalformedProtobufGetsMalformed) {
  RawClient c(server.port(), {.subprotocol = "panelwire.v1.proto"});
  c.send_binary(std::string("\xff\xff\xff\xff\x0f", 5));
  auto m = c.read();
  ASSERT_TRUE(m && m->has_ack());
  EXPECT_EQ(m->ack().error().code(), v1::MALFORMED);
  // A string field holding invalid UTF-8 is not a valid proto3 message.
  v1::ClientMessage chat = make_chat("c", "x");
  std::string bytes;
  chat.SerializeToString(&bytes);
  auto pos = bytes.rfind('x');
  bytes[pos] = '\xc3';
  c.send_binary(bytes);
  m = c.read();
  ASSERT_TRUE(m && m->has_ack());
  EXPECT_EQ(m->ack().error().code(), v1::MALFORMED);
  EXPECT_FALSE(c.closed());
}

TEST_F(Protocol, WrongFrameTypeCloses1003) {
  RawClient json(server.port());
  json.send_binary("\x0a\x01x");
  EXPECT_EQ(json.read_until_close(), 1003);
  RawClient proto(server.port(), {.subprotocol = "panelwire.v1.proto"});
  proto.send_text("{}");
  EXPECT_EQ(proto.read_until_close(), 1003);
  expect_server_serves(server.port());
}

TEST_F(Protocol, InvalidUtf8TextCloses1007) {
  RawClient c(server.port());
  c.send_text("{\"id\":\"a\",\"sendChat\":{\"text\":\"\xc3\x28\"}}");
  EXPECT_EQ(c.read_until_close(), 1007);
  expect_server_serves(server.port());
}

TEST_F(Protocol, OversizedFrameCloses1009) {
  RawClient c(server.port());
  c.join("big", "Ann");
  c.send_text(std::string(64 * 1024 + 1, ' '));
  EXPECT_EQ(c.read_until_close(), 1009);
  expect_server_serves(server.port());
}

TEST_F(Protocol, NoHelloClosesWith1008) {
  RawClient c(server.port());
  EXPECT_EQ(c.read_until_close(3s), 1008);
}

TEST_F(Protocol, SigtermClosesSessionsWith1001AndExitsZero) {
  RawClient a(server.port());
  a.join("drain", "Ann");
  RawClient b(server.port(), {.subprotocol = "panelwire.v1.proto"});
  b.join("drain", "Bob");
  // The clients answer the close while the server drains.
  auto a_code = std::async(std::launch::async, [&] { return a.read_until_close(); });
  auto b_code = std::async(std::launch::async, [&] { return b.read_until_close(); });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(server.stop(SIGTERM), 0);
  EXPECT_EQ(a_code.get(), 1001);
  EXPECT_EQ(b_code.get(), 1001);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s)
      << "the drain ends when the sessions are gone, not at its timeout";
}

}  // namespace
}  // namespace panelwire::test
