#include "address_range.h"

#include <algorithm>
#include <array>

namespace panelwire::net {

std::optional<AddressRange> AddressRange::parse(const std::string& text) {
  auto slash = text.find('/');
  boost::system::error_code ec;
  AddressRange r;
  r.base = boost::asio::ip::make_address(text.substr(0, slash), ec);
  if (ec) return std::nullopt;
  const unsigned bits = r.base.is_v4() ? 32 : 128;
  r.prefix = bits;
  if (slash != std::string::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    r.prefix = static_cast<unsigned>(std::stoul(digits));
    if (r.prefix > bits) return std::nullopt;
  }
  return r;
}

bool AddressRange::contains(const boost::asio::ip::address& a) const {
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  auto addr = a.is_v6() && a.to_v6().is_v4_mapped() && base.is_v4()
                  ? boost::asio::ip::address(
                        boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()))
                  : a;
  if (addr.is_v4() != base.is_v4()) return false;
  auto bytes = [](const boost::asio::ip::address& x) {
    std::array<unsigned char, 16> out{};
    if (x.is_v4()) {
      auto b = x.to_v4().to_bytes();
      std::copy(b.begin(), b.end(), out.begin());
    } else {
      out = x.to_v6().to_bytes();
    }
    return out;
  };
  auto x = bytes(addr), y = bytes(base);
  for (unsigned bit = 0; bit < prefix; bit += 8) {
    unsigned take = std::min(8u, prefix - bit);
    unsigned char mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((x[bit / 8] & mask) != (y[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace panelwire::net
