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

}  // namespace

RedisClient::RedisClient(const std::string& url, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "redis" || u->host().empty())
    throw RedisError("wants redis://[:password@]host:port[/db], got " + url);
  host_ = std::string(u->host());
  if (u->has_port()) port_ = u->port_number();
  if (u->has_password()) password_ = std::string(u->password());
  auto path = std::string(u->path());
  if (path.size() > 1) {
    try {
      db_ = std::stoi(path.substr(1));
    } catch (...) {
      throw RedisError("the database in " + url + " is not a number");
    }
  }
  connect();
}

RedisClient::~RedisClient() {
  if (c_) redisFree(c_);
}

void RedisClient::connect() {
  if (c_) redisFree(c_);
  timeval tv{static_cast<time_t>(timeout_.count() / 1000),
             static_cast<suseconds_t>(timeout_.count() % 1000 * 1000)};
  c_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (!c_ || c_->err) {
    std::string why = c_ ? c_->errstr : "out of memory";
    if (c_) redisFree(c_);
    c_ = nullptr;
    throw RedisError("cannot connect to Redis at " + host_ + ":" + std::to_string(port_) + ": " +
                     why);
  }
  redisSetTimeout(c_, tv);
  if (!password_.empty()) command({"AUTH", password_});
  if (db_ != 0) command({"SELECT", std::to_string(db_)});
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
