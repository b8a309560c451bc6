#pragma once
// What the tests of a relay on a real redis-server share: the relay's
// arguments, its readiness, its log, and acks read past the events before
// them.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {

using Clock = std::chrono::steady_clock;

// The token secret the relays of these tests run with.
extern const std::string kRedisRelaySecret;

// A relay on `redis_url`, then `more`.
std::vector<std::string> relay_args(const std::string& redis_url,
                                    std::vector<std::string> more = {});

// /readyz's status, and waiting for one.
unsigned readyz(const ServerProcess& relay);
bool readyz_becomes(const ServerProcess& relay, unsigned status, std::chrono::seconds within);

// A token for the relays' secret.
std::string token(const std::string& role, const std::string& name, const std::string& panel);

v1::ClientMessage chat(const std::string& id, const std::string& text);

// The next ack, whatever events come before it (kept in `events`); nullopt
// when none comes in `timeout` (the caller's assertion says what it means).
std::optional<v1::Ack> next_ack(RawClient& c, std::chrono::milliseconds timeout,
                                std::vector<v1::Event>* events = nullptr);
// Sends `m` and waits for its ack.
std::optional<v1::Ack> ack_of(RawClient& c, const v1::ClientMessage& m,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace panelwire::test
