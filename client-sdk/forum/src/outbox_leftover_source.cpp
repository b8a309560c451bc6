#include "panelwire/forum/outbox_leftover_source.h"

#include <stdexcept>
#include <thread>

#include <google/protobuf/util/json_util.h>
#include <boost/json.hpp>

#include "synced_file.h"

namespace panelwire::forum {

OutboxLeftoverSource::OutboxLeftoverSource(std::string path) : path_(std::move(path)) {
  in_.open(path_);
  if (!in_) throw std::runtime_error("cannot read the outbox " + path_);
  std::ifstream done(path_ + ".done");
  for (std::string id; std::getline(done, id);)
    if (!id.empty()) done_.insert(id);
}

std::vector<Entry> OutboxLeftoverSource::read_new(std::size_t max) {
  std::vector<Entry> out;
  while (out.size() < max) {
    auto at = in_.tellg();
    std::string line;
    if (!std::getline(in_, line) || in_.eof()) {
      // Nothing more, or a line still being written: read it again later.
      in_.clear();
      in_.seekg(at);
      break;
    }
    ++line_no_;
    if (line.empty()) continue;
    Entry e;
    e.entry_id = "line:" + std::to_string(line_no_);
    if (!google::protobuf::util::JsonStringToMessage(line, &e.leftover).ok()) {
      e.leftover.set_leftover_id(e.entry_id);
      if (!done_.contains(e.entry_id)) dead_letter(e, "not a panelwire.v1.Leftover: " + line);
      continue;
    }
    if (done_.contains(e.leftover.leftover_id())) continue;
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Entry> OutboxLeftoverSource::next(std::size_t max, std::chrono::milliseconds wait) {
  auto out = read_new(max);
  if (out.empty() && wait.count() > 0) {
    // The relay appends to the file: look again after a while.
    std::this_thread::sleep_for(wait);
    out = read_new(max);
  }
  drained_ = out.empty();
  return out;
}

void OutboxLeftoverSource::mark_done(const std::string& leftover_id) {
  append_line_synced(path_ + ".done", leftover_id);
  done_.insert(leftover_id);
}

void OutboxLeftoverSource::ack(const Entry& e) {
  mark_done(e.leftover.leftover_id());
}

void OutboxLeftoverSource::dead_letter(const Entry& e, const std::string& reason) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(e.leftover, &json);
  boost::json::object line;
  line["reason"] = reason;
  line["leftover"] = boost::json::parse(json);
  append_line_synced(path_ + ".dead.jsonl", boost::json::serialize(line));
  mark_done(e.leftover.leftover_id());
}

}  // namespace panelwire::forum
