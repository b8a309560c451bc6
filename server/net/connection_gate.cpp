#include "connection_gate.h"

#include <algorithm>

namespace panelwire::net {

ConnectionGate::ConnectionGate(const core::AddressLimits& limits,
                               std::vector<AddressRange> trusted_proxies)
    : trusted_(std::move(trusted_proxies)), table_(limits) {}

bool ConnectionGate::trusted(const boost::asio::ip::address& peer) const {
  return std::any_of(trusted_.begin(), trusted_.end(),
                     [&](const AddressRange& r) { return r.contains(peer); });
}

ConnectionGate::Lease ConnectionGate::admit(const boost::asio::ip::address& peer,
                                            core::AddressTable::Verdict& verdict) {
  auto address = trusted(peer) ? std::string() : peer.to_string();
  std::lock_guard lock(mutex_);
  verdict = table_.admit(address);
  if (verdict != core::AddressTable::Verdict::admitted) return {};
  return Lease(this, std::move(address));
}

std::uint32_t ConnectionGate::take_join(const std::string& address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return table_.take_join(address, now_ms);
}

std::uint32_t ConnectionGate::take_handshake(const std::string& address, std::int64_t now_ms) {
  std::lock_guard lock(mutex_);
  return table_.take_handshake(address, now_ms);
}

void ConnectionGate::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  table_.release(address);
}

ConnectionGate::Lease& ConnectionGate::Lease::operator=(Lease&& o) noexcept {
  if (this != &o) {
    if (gate_) gate_->release(address_);
    gate_ = std::exchange(o.gate_, nullptr);
    address_ = std::move(o.address_);
  }
  return *this;
}

ConnectionGate::Lease::~Lease() {
  if (gate_) gate_->release(address_);
}

bool ConnectionGate::Lease::attribute(const std::string& client) {
  if (!gate_) return false;
  std::lock_guard lock(gate_->mutex_);
  if (gate_->table_.move(address_, client) != core::AddressTable::Verdict::admitted) return false;
  address_ = client;
  return true;
}

std::string forwarded_client(std::string_view xff) {
  auto comma = xff.rfind(',');
  auto last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
  auto b = last.find_first_not_of(" \t");
  auto e = last.find_last_not_of(" \t");
  if (b == std::string_view::npos) return {};
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(std::string(last.substr(b, e - b + 1)), ec);
  return ec ? std::string() : addr.to_string();
}

}  // namespace panelwire::net
