// What the tests of a relay on a real redis-server share.

#include "redis_relay_support.h"

#include <thread>

#include "tool_run.h"

namespace panelwire::test {

using namespace std::chrono_literals;

const std::string kRedisRelaySecret = "redis-relay-test-secret-of-32-bytes-or-more";

std::vector<std::string> relay_args(const std::string& redis_url, std::vector<std::string> more) {
  std::vector<std::string> args = {"--redis", redis_url, "--token-secret", kRedisRelaySecret};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

unsigned readyz(const ServerProcess& relay) {
  return RawClient::http_get(relay.port(), "/readyz").first;
}

bool readyz_becomes(const ServerProcess& relay, unsigned status, std::chrono::seconds within) {
  const auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    if (readyz(relay) == status) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

std::string token(const std::string& role, const std::string& name, const std::string& panel) {
  return mint_token(PANELWIRE_CLI_BIN, kRedisRelaySecret, role, name, panel);
}

v1::ClientMessage chat(const std::string& id, const std::string& text) {
  v1::ClientMessage m;
  m.set_id(id);
  m.mutable_send_chat()->set_text(text);
  return m;
}

std::optional<v1::Ack> next_ack(RawClient& c, std::chrono::milliseconds timeout,
                                std::vector<v1::Event>* events) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto m = c.read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!m) return std::nullopt;
    if (m->has_ack()) return m->ack();
    if (m->has_event() && events) events->push_back(m->event());
  }
  return std::nullopt;
}

std::optional<v1::Ack> ack_of(RawClient& c, const v1::ClientMessage& m,
                              std::chrono::milliseconds timeout) {
  c.send(m);
  return next_ack(c, timeout);
}

}  // namespace panelwire::test
