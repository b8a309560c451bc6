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
}

FileLedger::FileLedger(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    // A torn last line (a crash mid-write) was never confirmed: skip it.
    if (ec || !v.is_object()) continue;
    const auto& o = v.as_object();
    if (o.contains("leftover_id") && o.contains("post_id"))
      posts_[std::string(o.at("leftover_id").as_string())] =
          std::string(o.at("post_id").as_string());
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

}  // namespace panelwire::forum
