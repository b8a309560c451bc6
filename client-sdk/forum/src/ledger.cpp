#include "panelwire/forum/ledger.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <stdexcept>

#include <boost/json.hpp>

#include "synced_file.h"

namespace panelwire::forum {

std::optional<std::string> RedisLedger::posted(const std::string& leftover_id) {
  auto r = redis_.command({"HGET", key_, leftover_id});
  if (r.type != Reply::Type::string) return std::nullopt;
  return r.str;
}

void RedisLedger::record(const std::string& leftover_id, const std::string& post_id,
                         bool owe_report) {
  // Owed first: a crash before the post is recorded leaves a report of a
  // post that exists, which is true; the other order could lose it.
  if (owe_report) redis_.command({"HSET", unreported_key_, leftover_id, post_id});
  redis_.command({"HSET", key_, leftover_id, post_id});
  redis_.command({"HDEL", attempts_key_, leftover_id});
}

void RedisLedger::reported(const std::string& leftover_id) {
  redis_.command({"HDEL", unreported_key_, leftover_id});
}

std::vector<std::pair<std::string, std::string>> RedisLedger::unreported(std::size_t max) {
  std::vector<std::pair<std::string, std::string>> out;
  if (max == 0) return out;
  // A positive count: distinct fields, at most that many.
  const auto r = redis_.command({"HRANDFIELD", unreported_key_, std::to_string(max), "WITHVALUES"});
  for (std::size_t i = 0; i + 1 < r.elements.size() && out.size() < max; i += 2)
    out.emplace_back(r.elements[i].str, r.elements[i + 1].str);
  // Asked for the whole hash, Redis answers in its own order: shuffled, so
  // that one report the relay keeps failing is not always first.
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::shuffle(out.begin(), out.end(), rng);
  return out;
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
    if (const auto* post = o.if_contains("post_id"); post && post->is_string()) {
      posts_[leftover] = std::string(post->as_string());
      attempts_.erase(leftover);
      if (o.contains("report_owed")) owe(leftover, posts_[leftover]);
    } else if (o.contains("attempt")) {
      attempts_.insert(leftover);
    } else if (o.contains("reported")) {
      drop_owed(leftover);
    }
  }
}

void FileLedger::owe(const std::string& leftover_id, const std::string& post_id) {
  drop_owed(leftover_id);
  owed_.emplace_back(leftover_id, post_id);
}

void FileLedger::drop_owed(const std::string& leftover_id) {
  std::erase_if(owed_, [&](const auto& o) { return o.first == leftover_id; });
}

std::optional<std::string> FileLedger::posted(const std::string& leftover_id) {
  auto it = posts_.find(leftover_id);
  if (it == posts_.end()) return std::nullopt;
  return it->second;
}

void FileLedger::record(const std::string& leftover_id, const std::string& post_id,
                        bool owe_report) {
  // One line: the post and its owed report are on disk together or not
  // at all.
  boost::json::object o;
  o["leftover_id"] = leftover_id;
  o["post_id"] = post_id;
  if (owe_report) o["report_owed"] = true;
  append_line_synced(path_, boost::json::serialize(o));
  posts_[leftover_id] = post_id;
  attempts_.erase(leftover_id);
  if (owe_report) owe(leftover_id, post_id);
}

void FileLedger::reported(const std::string& leftover_id) {
  boost::json::object o;
  o["leftover_id"] = leftover_id;
  o["reported"] = true;
  append_line_synced(path_, boost::json::serialize(o));
  drop_owed(leftover_id);
}

std::vector<std::pair<std::string, std::string>> FileLedger::unreported(std::size_t max) {
  const auto n = std::min(max, owed_.size());
  std::vector<std::pair<std::string, std::string>> out(owed_.begin(), owed_.begin() + n);
  // Asked for now, so to the back: the next round starts with the others.
  // With no others, the first one asked for this time goes last next time.
  std::rotate(owed_.begin(), owed_.begin() + (n == owed_.size() && n > 0 ? 1 : n), owed_.end());
  return out;
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
