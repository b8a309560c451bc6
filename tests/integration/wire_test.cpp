// The relay's WebSocket framing, byte by byte against the real binary:
// messages in fragments and several frames in one write, each broken
// framing rule with its close code, the close handshake to the end of the
// TCP connection, and the keepalive that drops a peer that stopped answering.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "panelwire/v1/panelwire.pb.h"
#include "raw_client.h"
#include "server_process.h"
#include "wire_client.h"

namespace panelwire::test {
namespace {

constexpr std::uint8_t kCont = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9,
                       kPong = 0xa;

std::string hello(const std::string& panel, const std::string& name) {
  return R"({"id":"h","hello":{"panelId":")" + panel + R"(","displayName":")" + name + "\"}}";
}

std::string chat(const std::string& id, const std::string& text) {
  return R"({"id":")" + id + R"(","sendChat":{"text":")" + text + "\"}}";
}

v1::ServerMessage parse(const WireClient::Frame& f) {
  v1::ServerMessage m;
  EXPECT_EQ(f.opcode, kText) << "the JSON subprotocol answers in text frames";
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(f.payload, &m).ok()) << f.payload;
  return m;
}

// The acks among the next messages, until `n` have come (events skipped).
std::vector<v1::Ack> acks(WireClient& c, std::size_t n) {
  std::vector<v1::Ack> got;
  while (got.size() < n) {
    auto f = c.next_data();
    if (!f) {
      ADD_FAILURE() << "ack " << got.size() + 1 << " of " << n << " never came";
      break;
    }
    auto m = parse(*f);
    if (m.has_ack()) got.push_back(m.ack());
  }
  return got;
}

void join(WireClient& c, const std::string& panel, const std::string& name) {
  c.send(WireClient::frame(kText, hello(panel, name)));
  auto got = acks(c, 1);
  ASSERT_EQ(got.size(), 1u);
  ASSERT_FALSE(got[0].has_error()) << got[0].error().message();
}

// The server closed with `code` and then ended the TCP connection: no frame
// after its close frame.
void expect_closed(WireClient& c, std::uint16_t code) {
  EXPECT_EQ(c.read_until_close(), code);
  EXPECT_FALSE(c.next(3s)) << "a frame after the close frame";
  EXPECT_TRUE(c.ended()) << "the server ends the TCP connection";
}

class Wire : public ::testing::Test {
 protected:
  ServerProcess server{{"--max-inflight-commands", "2"}};
};

TEST_F(Wire, AMessageInFragmentsWithAPingBetweenIsOneCommand) {
  WireClient c(server.port());
  join(c, "frag", "Ann");
  const auto cmd = chat("c1", "in three pieces");
  c.send(WireClient::frame(kText, cmd.substr(0, 10), {.fin = false}));
  c.send(WireClient::frame(kPing, "between"));
  c.send(WireClient::frame(kCont, cmd.substr(10, 5), {.fin = false}));
  c.send(WireClient::frame(kCont, cmd.substr(15)));
  auto pong = c.next();
  ASSERT_TRUE(pong);
  EXPECT_EQ(pong->opcode, kPong);
  EXPECT_EQ(pong->payload, "between") << "a pong carries the ping's payload";
  auto got = acks(c, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id(), "c1");
  EXPECT_GT(got[0].seq(), 0u);
}

// 40 commands in one TCP write, while the server reads at most 2 commands
// ahead of the engine: it stops reading mid-write and picks up where it
// stopped, so every command is acked, once and in order.
TEST_F(Wire, ManyFramesInOneWriteAreAllReadInOrderAcrossPauses) {
  WireClient c(server.port());
  join(c, "burst", "Ann");
  std::string burst;
  for (int i = 0; i < 40; ++i)
    burst += WireClient::frame(kText, chat("b" + std::to_string(i), "x"));
  for (int i = 0; i < 5; ++i) burst += WireClient::frame(kPing, std::to_string(i));
  c.send(burst);
  // Acks and pongs as they come: a pong may overtake the last acks (the
  // engine answers later than the pings are read).
  std::vector<v1::Ack> got;
  std::vector<std::string> pongs;
  while (got.size() < 40 || pongs.size() < 5) {
    auto f = c.next();
    ASSERT_TRUE(f) << got.size() << " acks and " << pongs.size() << " pongs came";
    if (f->opcode == kPong) {
      pongs.push_back(f->payload);
    } else if (auto m = parse(*f); m.has_ack()) {
      got.push_back(m.ack());
    }
  }
  ASSERT_EQ(got.size(), 40u);
  std::uint64_t last = 0;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(got[i].id(), "b" + std::to_string(i));
    EXPECT_GT(got[i].seq(), last) << "in order, each once";
    last = got[i].seq();
  }
  EXPECT_EQ(pongs, (std::vector<std::string>{"0", "1", "2", "3", "4"})) << "in order";
}

TEST_F(Wire, EachBrokenFramingRuleClosesWithItsCode) {
  struct Case {
    const char* what;
    std::string bytes;
    std::uint16_t code;
  };
  const std::vector<Case> cases = {
      {"unmasked frame", WireClient::frame(kText, "{}", {.masked = false}), 1002},
      {"reserved bit (no extension was negotiated)", WireClient::frame(kText, "{}", {.rsv = 4}),
       1002},
      {"reserved opcode", WireClient::frame(0x3, "x"), 1002},
      {"fragmented ping", WireClient::frame(kPing, "x", {.fin = false}), 1002},
      {"ping over 125 bytes", WireClient::frame(kPing, std::string(126, 'p')), 1002},
      {"continuation with no message", WireClient::frame(kCont, "x"), 1002},
      {"message inside a fragmented one",
       WireClient::frame(kText, "{", {.fin = false}) + WireClient::frame(kText, "{}"), 1002},
      {"close frame with one byte", WireClient::frame(kClose, "x"), 1002},
      {"close code 1006 (never sent)", WireClient::frame(kClose, WireClient::close_payload(1006)),
       1002},
      {"text that is not UTF-8", WireClient::frame(kText, "{\"id\":\"\xc3\x28\"}"), 1007},
      {"message over --max-frame-bytes", WireClient::frame(kText, std::string(64 * 1024 + 1, ' ')),
       1009},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    WireClient w(server.port());
    join(w, "rules", "Ann");
    w.send(c.bytes);
    expect_closed(w, c.code);
  }
  RawClient after(server.port());
  after.join("rules", "Checker");
  EXPECT_FALSE(after.chat("probe", "still there?").has_error());
}

TEST_F(Wire, AClientsCloseIsEchoedAndTheServerEndsTheConnection) {
  WireClient c(server.port());
  join(c, "bye", "Ann");
  c.send(WireClient::frame(kClose, WireClient::close_payload(1000, "leaving")));
  expect_closed(c, 1000);

  WireClient bare(server.port());
  join(bare, "bye", "Bob");
  bare.send(WireClient::frame(kClose, ""));
  auto f = bare.next();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->opcode, kClose);
  EXPECT_EQ(f->payload, "") << "no code in, no code out (1005 is never sent)";
  EXPECT_FALSE(bare.next(3s));
  EXPECT_TRUE(bare.ended());
}

TEST_F(Wire, AfterItsCloseFrameTheServerWaitsForTheClientsThenEnds) {
  // A binary frame on the JSON subprotocol: the server closes 1003 first.
  WireClient c(server.port());
  join(c, "first", "Ann");
  c.send(WireClient::frame(kBinary, "\x0a\x01x"));
  auto f = c.next_data();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->close_code(), 1003);
  // Still open for the client's answer...
  EXPECT_FALSE(c.next(300ms));
  EXPECT_FALSE(c.ended());
  // ...which ends it.
  c.send(WireClient::frame(kClose, WireClient::close_payload(1003)));
  EXPECT_FALSE(c.next(3s));
  EXPECT_TRUE(c.ended());
}

// docs/protocol.md, "Staying connected".
TEST(WireKeepalive, APeerThatStopsAnsweringIsDroppedAndOneThatAnswersStays) {
  // Ticks every 750 ms: a ping after 1.5 to 2.25 s of silence, the drop
  // 1.5 s after it; the live client has 1.5 s to answer each ping.
  ServerProcess server({"--idle-timeout-ms", "3000"});
  WireClient silent(server.port());
  join(silent, "keepalive", "Silent");
  WireClient live(server.port());
  join(live, "keepalive", "Live");

  // The live one answers every ping, from the start and for 7 s (over two
  // idle timeouts), on a thread of its own.
  auto answered = std::async(std::launch::async, [&live] {
    const auto until = std::chrono::steady_clock::now() + 7s;
    int pings = 0;
    while (std::chrono::steady_clock::now() < until && !live.ended()) {
      auto f = live.next(50ms);
      if (f && f->opcode == kPing) {
        ++pings;
        live.send(WireClient::frame(kPong, f->payload));
      }
    }
    return pings;
  });

  // The silent one: a ping within the idle timeout, then the end of the
  // connection with no close frame (a browser's 1006).
  auto ping = silent.next(4s);
  ASSERT_TRUE(ping) << "pinged after a quarter to a half of the idle timeout";
  EXPECT_EQ(ping->opcode, kPing);
  auto after = silent.next(4s);
  EXPECT_FALSE(after) << "opcode " << int(after ? after->opcode : 0);
  EXPECT_TRUE(silent.ended()) << "dropped in the half after the ping";

  EXPECT_GE(answered.get(), 2);
  EXPECT_FALSE(live.ended()) << "a peer that answers stays";
  live.send(WireClient::frame(kText, chat("still", "here")));
  auto got = acks(live, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].has_error());
}

// A message begun and never ended holds up to --max-frame-bytes: a client
// that answers its pings (so is not silent) but leaves its message open for
// as long as a silent client may live is closed 1008.
TEST(WireKeepalive, AMessageLeftOpenIsClosedThoughItsPingsAreAnswered) {
  ServerProcess server({"--idle-timeout-ms", "3000"});
  WireClient c(server.port());
  join(c, "open", "Dribbler");
  c.send(WireClient::frame(kText, R"({"id":"x",)", {.fin = false}));
  const auto until = std::chrono::steady_clock::now() + 8s;
  std::uint16_t code = 0;
  while (std::chrono::steady_clock::now() < until && !c.ended() && code == 0) {
    c.send(WireClient::frame(kPing, "alive"));  // between fragments: allowed
    auto f = c.next(300ms);
    if (f && f->opcode == kPing) c.send(WireClient::frame(kPong, f->payload));
    if (f && f->opcode == kClose) code = f->close_code();
  }
  EXPECT_EQ(code, 1008) << "closed while its message stayed open";

  // Messages that end, one after another, keep a connection as long as it likes.
  WireClient busy(server.port());
  join(busy, "open", "Busy");
  for (int i = 0; i < 12; ++i) {
    const auto cmd = chat("m" + std::to_string(i), "in two pieces");
    busy.send(WireClient::frame(kText, cmd.substr(0, 8), {.fin = false}));
    std::this_thread::sleep_for(200ms);
    busy.send(WireClient::frame(kCont, cmd.substr(8)));
    std::this_thread::sleep_for(200ms);
  }
  auto got = acks(busy, 12);
  EXPECT_EQ(got.size(), 12u);
  EXPECT_FALSE(busy.ended());
}

}  // namespace
}  // namespace panelwire::test
