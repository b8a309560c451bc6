#pragma once
// A blocking Redis connection for tools (the forum importer), not for a
// relay's io threads: binary-safe commands through redisCommandArgv, with
// timeouts so a dead Redis fails a call instead of hanging it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct redisContext;

namespace panelwire::forum {

// Redis could not be reached, or answered with an error.
struct RedisError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Reply {
  enum class Type { nil, integer, string, status, error, array };
  Type type = Type::nil;
  std::int64_t integer = 0;
  std::string str;
  std::vector<Reply> elements;
};

// redis://[:password@]host:port[/db]
struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
};
// Throws RedisError naming the URL with its password masked: it may reach a
// log.
RedisEndpoint parse_redis_url(const std::string& url);
// `url` fit for a log line or an error: the password, if any, masked.
std::string redacted_redis_url(const std::string& url);

class RedisClient {
 public:
  // Throws RedisError, whose message never holds the password.
  explicit RedisClient(RedisEndpoint endpoint,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Throws RedisError on a lost connection or an error reply (the
  // connection is then reopened on the next call).
  Reply command(const std::vector<std::string>& argv);

 private:
  void connect();
  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  redisContext* c_ = nullptr;
};

}  // namespace panelwire::forum
