// SIGTERM on the real binary: what a load balancer, a new client and a
// client that never answers see while the relay drains, and how it exits
// when a session outlives the drain.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "redis_process.h"
#include "server_process.h"

namespace panelwire::test {
namespace {

using namespace std::chrono_literals;

// The errno of a TCP connect to the loopback port (0 when it connected).
int connect_errno(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int err = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

TEST(Drain, NoNewConnectionIsTakenAndAPeerThatNeverAnswersIsCutBeforeTheExit) {
  ServerProcess server({"--close-timeout-ms", "1000", "--drain-timeout-ms", "5000"});
  ASSERT_EQ(RawClient::http_get(server.port(), "/readyz").first, 200u);
  // Joined, then silent: it reads nothing, so the server's close frame is
  // never answered.
  RawClient silent(server.port());
  silent.join("drain", "Ann");

  auto exit_code = std::async(std::launch::async, [&] { return server.stop(SIGTERM); });
  ASSERT_TRUE(server.log_shows("event=draining", 1, 5s));
  // The listener is closed at once: a load balancer's health check and a
  // new client are refused, and go to another node. (The line is logged as
  // the close is posted to the listener's thread: a moment may separate them.)
  int refused = 0;
  for (int i = 0; i < 100 && (refused = connect_errno(server.port())) != ECONNREFUSED; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(refused, ECONNREFUSED);

  EXPECT_EQ(exit_code.get(), 0);
  EXPECT_NE(server.log().find("event=stopped sessions_left=0"), std::string::npos)
      << "the close timeout cut the silent peer within the drain";
  // What it would have read: the going-away close, then the end.
  EXPECT_EQ(silent.read_until_close(2s), 1001);
}

TEST(Drain, ASessionOutlivingTheDrainIsAbortedAndTheRelayStillExits) {
  engine::RedisProcess redis;
  ServerProcess server(
      {"--redis", redis.url(), "--close-timeout-ms", "300", "--drain-timeout-ms", "600"});
  for (int i = 0; i < 500 && RawClient::http_get(server.port(), "/readyz").first != 200; ++i)
    std::this_thread::sleep_for(10ms);
  RawClient ann(server.port());
  ann.join("drain", "Ann");
  // A paused Redis holds the chat's append past the drain (its deadline is
  // 2 s), and the session with it.
  ::kill(redis.pid(), SIGSTOP);
  v1::ClientMessage msg;
  msg.set_id("c1");
  msg.mutable_send_chat()->set_text("held by a paused Redis");
  ann.send(msg);
  // Evidence that the relay took the chat in (and sent its append): a ping
  // after it is answered while the chat's ack is held.
  v1::ClientMessage ping;
  ping.set_id("p1");
  ping.mutable_ping();
  ann.send(ping);
  auto pong = ann.read(5s);
  ASSERT_TRUE(pong && pong->has_ack()) << "the ping's answer";
  EXPECT_EQ(pong->ack().id(), "p1") << "not the chat's: Redis holds it";

  auto exit_code = std::async(std::launch::async, [&] { return server.stop(SIGTERM); });
  EXPECT_EQ(ann.read_until_close(5s), 1001);
  EXPECT_EQ(exit_code.get(), 0);
  ::kill(redis.pid(), SIGCONT);
  const auto log = server.log();
  EXPECT_NE(log.find("event=stopped sessions_left=1 sessions_left_after_abort=0"),
            std::string::npos)
      << log;
}

}  // namespace
}  // namespace panelwire::test
