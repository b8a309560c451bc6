#include "panelwire/forum/redis_client.h"

#include <hiredis/hiredis.h>

#include <boost/url/parse.hpp>

namespace panelwire::forum {

namespace {

Reply copy_of(const redisReply* r) {
  Reply v;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      v.type = Reply::Type::integer;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      v.type = r->type == REDIS_REPLY_STRING   ? Reply::Type::string
               : r->type == REDIS_REPLY_STATUS ? Reply::Type::status
                                               : Reply::Type::error;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      v.type = Reply::Type::array;
      for (std::size_t i = 0; i < r->elements; ++i) v.elements.push_back(copy_of(r->element[i]));
      break;
    default:
      break;
  }
  return v;
}

// "redis: WRONGPASS invalid username-password pair" -> "WRONGPASS".
std::string reply_code(const std::string& what) {
  std::string s = what.rfind("redis: ", 0) == 0 ? what.substr(7) : what;
  return s.substr(0, s.find(' '));
}

}  // namespace

std::string redacted_redis_url(const std::string& url) {
  // By text, not by a URL parser: a password with an unencoded '/', '?' or
  // '#' is no password to the parser, yet it is one to whoever typed it.
  // Everything up to the last '@' after the scheme is hidden, user included.
  auto at = url.rfind('@');
  if (at == std::string::npos) return url;
  auto scheme = url.find("://");
  auto from = scheme == std::string::npos || scheme > at ? 0 : scheme + 3;
  return url.substr(0, from) + ":***" + url.substr(at);
}

RedisEndpoint parse_redis_url(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "redis" || u->host().empty())
    throw RedisError("wants redis://[:password@]host:port[/db], got " + redacted_redis_url(url));
  RedisEndpoint e;
  e.host = std::string(u->host());
  if (u->has_port()) e.port = u->port_number();
  if (u->has_password()) e.password = std::string(u->password());
  auto path = std::string(u->path());
  if (path.size() > 1) {
    try {
      e.db = std::stoi(path.substr(1));
    } catch (...) {
      throw RedisError("the database in " + redacted_redis_url(url) + " is not a number");
    }
  }
  return e;
}

RedisClient::RedisClient(RedisEndpoint endpoint, std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), timeout_(timeout) {
  connect();
}

RedisClient::~RedisClient() {
  if (c_) redisFree(c_);
}

void RedisClient::connect() {
  if (c_) redisFree(c_);
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>(timeout_.count() % 1000 * 1000)};
  auto where = endpoint_.host + ":" + std::to_string(endpoint_.port);
  c_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
  if (!c_ || c_->err) {
    std::string why = c_ ? c_->errstr : "out of memory";
    if (c_) redisFree(c_);
    c_ = nullptr;
    throw RedisError("cannot connect to Redis at " + where + ": " + why);
  }
  redisSetTimeout(c_, tv);
  // A refused password or database drops the connection: the next call
  // starts over rather than on a half set up one.
  auto drop = [this] {
    if (c_) redisFree(c_);
    c_ = nullptr;
  };
  if (!endpoint_.password.empty()) {
    try {
      command({"AUTH", endpoint_.password});
    } catch (const RedisError& e) {
      drop();
      // Only the reply's code: a Redis that does not know AUTH (renamed, or
      // a proxy) echoes the command's arguments, the password first.
      throw RedisError("Redis refused the password: " + reply_code(e.what()));
    }
  }
  if (endpoint_.db != 0) {
    try {
      command({"SELECT", std::to_string(endpoint_.db)});
    } catch (const RedisError&) {
      drop();
      throw;
    }
  }
}

Reply RedisClient::command(const std::vector<std::string>& argv) {
  if (!c_) connect();
  std::vector<const char*> args;
  std::vector<std::size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c_, static_cast<int>(args.size()), args.data(), lens.data()));
  if (!r) {
    std::string why = c_->errstr;
    redisFree(c_);
    c_ = nullptr;
    throw RedisError("lost the connection to Redis: " + why);
  }
  auto v = copy_of(r);
  freeReplyObject(r);
  if (v.type == Reply::Type::error) throw RedisError("redis: " + v.str);
  return v;
}

}  // namespace panelwire::forum
