#pragma once
// Connections per network address and across the node, and the rate at
// which one address may join panels: what stops one script from holding a
// node's sockets or minting guest identities as fast as it can connect.
// No I/O, no locking: the caller serializes (net::ConnectionGate).

#include <cstdint>
#include <string>
#include <unordered_map>

#include "rate_limiter.h"

namespace panelwire::core {

struct AddressLimits {
  // Open connections on this node. Past it a new one is refused at once,
  // so the process never reaches its descriptor limit, where accept would
  // fail for everyone. 0 means "derive from the descriptor limit" (the
  // server does so at start).
  std::size_t max_connections = 0;
  // Open connections from one address. A whole office behind one NAT may
  // attend, so this is far above one person's few tabs, and far below what
  // one script needs to crowd out a panel. 0: no limit.
  std::size_t max_per_address = 256;
  // Joins (Hellos) from one address: an office arriving at the start of a
  // panel fits the burst; a script minting a new guest for each vote or
  // after each mute waits a second per identity.
  RateRule joins{1, 60};
  // TLS handshakes from one address (--tls-cert only): each costs the node
  // a signature on an io thread and some 70 KiB while it lasts. Twice the
  // joins' pace, as a join may take a reconnect or a page load besides;
  // past it the connection is closed before any TLS state is made.
  RateRule handshakes{2, 120};
  // Addresses whose join buckets are remembered; full buckets go first,
  // then the longest idle (erring toward letting a join through).
  std::size_t max_tracked = 100'000;
};

class AddressTable {
 public:
  enum class Verdict : std::uint8_t { admitted, node_full, address_full };

  explicit AddressTable(const AddressLimits& limits)
      : limits_(limits), joins_(limits.max_tracked), handshakes_(limits.max_tracked) {}

  // Counts a new connection from `address` (empty: counted on the node
  // only, e.g. a trusted proxy whose clients are counted later).
  Verdict admit(const std::string& address);
  // Moves a connection admitted under `from` (empty or not) to `to`.
  // Refused (nothing changes) when `to` is full.
  Verdict move(const std::string& from, const std::string& to);
  // The connection admitted under `address` ended.
  void release(const std::string& address);

  // 0 when `address` may join now (a token is taken), else the
  // milliseconds until it may.
  std::uint32_t take_join(const std::string& address, std::int64_t now_ms);
  // The same for a TLS handshake.
  std::uint32_t take_handshake(const std::string& address, std::int64_t now_ms);

  std::size_t connections() const { return total_; }
  // Addresses with open connections: each holds at least one, so this is
  // bounded by max_connections.
  std::size_t addresses() const { return per_address_.size(); }

 private:
  // One connection less under `address` (none for empty).
  void drop(const std::string& address);

  AddressLimits limits_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_address_;
  // Overflow rule for both: RateLimiter's (max_tracked addresses, full
  // buckets forgotten first, then the longest idle).
  RateLimiter joins_;
  RateLimiter handshakes_;
};

}  // namespace panelwire::core
