#include "panelwire/forum/ledger.h"

#include <fstream>
#include <stdexcept>

#include <boost/json.hpp>

#include "synced_file.h"

namespace panelwire::forum {

std::optional<std::string> RedisLedger::posted(const std::string& leftover_id) {
  auto r = redis_.command({"HGET", key_, leftover_id});
  if (r.type != Reply::Type::string) return std::nullopt;
  return r.str;
}

void RedisLedger::record(const std::string& leftover_id, const std::string& post_id) {
  redis_.command({"HSET", key_, leftover_id, post_id});
  redis_.command({"HDEL", attempts_key_, leftover_id});
}

bool RedisLedger::attempted(const std::string& leftover_id) {
  return redis_.command({"HEXISTS", attempts_key_, leftover_id}).integer == 1;
}

void RedisLedger::attempt(const std::string& leftover_id) {
  redis_.command({"HSET", attempts_key_, leftover_id, "1"});
}

FileLedger::FileLedger(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    // A torn last line (a crash mid-write) was never confirmed: skip it.
    if (ec || !v.is_object()) continue;
    const auto& o = v.as_object();
    const auto* id = o.if_contains("leftover_id");
    if (!id || !id->is_string()) continue;
    const std::string leftover(id->as_string());
    if (const auto* post = o.if_contains("post_id"); post && post->is_string())
      posts_[leftover] = std::string(post->as_string());
    else if (o.contains("attempt"))
      attempts_.insert(leftover);
  }
}

std::optional<std::string> FileLedger::posted(const std::string& leftover_id) {
  auto it = posts_.find(leftover_id);
  if (it == posts_.end()) return std::nullopt;
  return it->second;
}

void FileLedger::record(const std::string& leftover_id, const std::string& post_id) {
  boost::json::object o;
  o["leftover_id"] = leftover_id;
  o["post_id"] = post_id;
  append_line_synced(path_, boost::json::serialize(o));
  posts_[leftover_id] = post_id;
}

bool FileLedger::attempted(const std::string& leftover_id) {
  return attempts_.contains(leftover_id);
}

void FileLedger::attempt(const std::string& leftover_id) {
  boost::json::object o;
  o["leftover_id"] = leftover_id;
  o["attempt"] = true;
  append_line_synced(path_, boost::json::serialize(o));
  attempts_.insert(leftover_id);
}

}  // namespace panelwire::forum
