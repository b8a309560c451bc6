#pragma once
// The node's door: counts every connection against the node's and its
// address's caps (core::AddressTable) and paces joins per address. Shared
// by every shard; a connection is counted once at accept and released once
// when it ends, so the lock is taken twice per connection, never per frame.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "address_range.h"
#include "address_table.h"

namespace panelwire::net {

class ConnectionGate {
 public:
  // A connection's place in the counts; released when destroyed (on any
  // thread). Move-only.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& o) noexcept
        : gate_(std::exchange(o.gate_, nullptr)), address_(std::move(o.address_)) {}
    Lease& operator=(Lease&& o) noexcept;
    ~Lease();
    explicit operator bool() const { return gate_ != nullptr; }
    // The address the connection is counted under (empty: a trusted proxy's
    // connection not yet attributed to a client).
    const std::string& address() const { return address_; }
    // Counts the connection under the client's address instead, once a
    // trusted proxy has named it. False (nothing changes) when that
    // address is full.
    bool attribute(const std::string& client);

   private:
    friend class ConnectionGate;
    Lease(ConnectionGate* gate, std::string address) : gate_(gate), address_(std::move(address)) {}
    ConnectionGate* gate_ = nullptr;
    std::string address_;
  };

  ConnectionGate(const core::AddressLimits& limits, std::vector<AddressRange> trusted_proxies);

  // A peer that is a trusted proxy is counted on the node only; its
  // clients are attributed when their requests name them.
  bool trusted(const boost::asio::ip::address& peer) const;
  // An empty lease and the reason when a cap is reached.
  Lease admit(const boost::asio::ip::address& peer, core::AddressTable::Verdict& verdict);
  // 0 when `address` may join now, else the milliseconds to wait.
  std::uint32_t take_join(const std::string& address, std::int64_t now_ms);
  std::uint32_t take_handshake(const std::string& address, std::int64_t now_ms);

 private:
  void release(const std::string& address);

  std::vector<AddressRange> trusted_;
  std::mutex mutex_;
  core::AddressTable table_;
};

// The client behind a trusted proxy: the last address in X-Forwarded-For
// (the one the proxy itself appended), or nothing when the header holds no
// valid address.
std::string forwarded_client(std::string_view x_forwarded_for);

}  // namespace panelwire::net
