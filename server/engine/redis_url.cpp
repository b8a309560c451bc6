#include "redis_url.h"

#include <boost/url/parse.hpp>

namespace panelwire::engine {

std::string redacted_url(const std::string& url) {
  // By text, not by a URL parser: a password with an unencoded '/', '?' or
  // '#' is no password to the parser, yet it is one to whoever typed it.
  // Everything up to the last '@' after the scheme is hidden, user included.
  auto at = url.rfind('@');
  if (at == std::string::npos) return url;
  auto scheme = url.find("://");
  auto from = scheme == std::string::npos || scheme > at ? 0 : scheme + 3;
  return url.substr(0, from) + ":***" + url.substr(at);
}

core::Result<RedisEndpoint> parse_redis_url(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "redis" || u->host().empty())
    return core::fail(v1::INVALID_ARGUMENT,
                      "wants redis://[:password@]host:port[/db], got " + redacted_url(url));
  RedisEndpoint e;
  e.host = std::string(u->host());
  if (u->has_port()) e.port = u->port_number();
  if (u->has_password()) e.password = std::string(u->password());
  auto path = std::string(u->path());
  if (path.size() > 1) {
    try {
      e.db = std::stoi(path.substr(1));
    } catch (...) {
      return core::fail(v1::INVALID_ARGUMENT,
                        "the database in " + redacted_url(url) + " is not a number");
    }
  }
  return e;
}

}  // namespace panelwire::engine
