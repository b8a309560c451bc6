#include "address_table.h"

namespace panelwire::core {

AddressTable::Verdict AddressTable::admit(const std::string& address) {
  if (limits_.max_connections && total_ >= limits_.max_connections) return Verdict::node_full;
  if (!address.empty()) {
    auto& n = per_address_[address];
    if (limits_.max_per_address && n >= limits_.max_per_address) return Verdict::address_full;
    ++n;
  }
  ++total_;
  return Verdict::admitted;
}

AddressTable::Verdict AddressTable::move(const std::string& from, const std::string& to) {
  if (from == to) return Verdict::admitted;
  if (!to.empty()) {
    auto& n = per_address_[to];
    if (limits_.max_per_address && n >= limits_.max_per_address) return Verdict::address_full;
    ++n;
  }
  drop(from);
  return Verdict::admitted;
}

void AddressTable::release(const std::string& address) {
  if (total_ > 0) --total_;
  drop(address);
}

void AddressTable::drop(const std::string& address) {
  if (address.empty()) return;
  auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

std::uint32_t AddressTable::take_join(const std::string& address, std::int64_t now_ms) {
  return joins_.take(address, limits_.joins, now_ms);
}

std::uint32_t AddressTable::take_handshake(const std::string& address, std::int64_t now_ms) {
  return handshakes_.take(address, limits_.handshakes, now_ms);
}

}  // namespace panelwire::core
