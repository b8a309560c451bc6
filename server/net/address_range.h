#pragma once
// An address or a CIDR range of them ("10.0.0.0/8", "::1"), for the proxies
// the relay trusts to name their clients.

#include <optional>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace panelwire::net {

struct AddressRange {
  boost::asio::ip::address base;
  unsigned prefix = 0;

  // Nullopt when `text` is neither.
  static std::optional<AddressRange> parse(const std::string& text);
  bool contains(const boost::asio::ip::address& a) const;
};

}  // namespace panelwire::net
