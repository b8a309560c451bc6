#pragma once
// Where a Redis is, as an operator writes it. Apart from the connection so
// that reading the configuration needs no Redis client.

#include <string>

#include "failure.h"

namespace panelwire::engine {

// redis://[:password@]host:port[/db]
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  std::string password;
  int db = 0;
};
// Errors name the URL with its password masked: they reach logs.
core::Result<RedisEndpoint> parse_redis_url(const std::string& url);
// `url` fit for a log line: the password, if any, masked.
std::string redacted_url(const std::string& url);

}  // namespace panelwire::engine
