#include "panelwire/forum/redis_leftover_source.h"

namespace panelwire::forum {

namespace {

// KEYS: dead letters, stream. ARGV: group, entry id, leftover id, bytes,
// reason. Set aside and acknowledged in one step.
constexpr const char* kDeadLetterScript = R"lua(
redis.call('XADD', KEYS[1], '*', 'id', ARGV[3], 'leftover', ARGV[4], 'reason', ARGV[5])
return redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
)lua";

// KEYS: dead letters, stream. ARGV: dead letter entry id. Back to the
// stream as a new entry, out of the dead letters, in one step.
constexpr const char* kRetryScript = R"lua(
local e = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #e == 0 then return 0 end
local f = e[1][2]
local id, bytes
for i = 1, #f, 2 do
  if f[i] == 'id' then id = f[i + 1] elseif f[i] == 'leftover' then bytes = f[i + 1] end
end
redis.call('XADD', KEYS[2], '*', 'id', id, 'leftover', bytes)
redis.call('XDEL', KEYS[1], ARGV[1])
return 1
)lua";

std::string field(const Reply& fields, const std::string& name) {
  for (std::size_t i = 0; i + 1 < fields.elements.size(); i += 2)
    if (fields.elements[i].str == name) return fields.elements[i + 1].str;
  return {};
}

}  // namespace

RedisLeftoverSource::RedisLeftoverSource(RedisClient& redis, RedisSourceOptions options)
    : redis_(redis), options_(std::move(options)) {
  try {
    redis_.command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  } catch (const RedisError& e) {
    // The group is there already: another importer, or an earlier run.
    if (std::string(e.what()).find("BUSYGROUP") == std::string::npos) throw;
  }
}

std::vector<Entry> RedisLeftoverSource::parse(const Reply& entries) {
  std::vector<Entry> out;
  for (const auto& item : entries.elements) {
    if (item.elements.size() < 2) continue;
    const auto& id = item.elements[0].str;
    // A pending entry trimmed from the stream comes back without fields:
    // there is nothing left to deliver.
    if (item.elements[1].type != Reply::Type::array) {
      redis_.command({"XACK", options_.stream, options_.group, id});
      continue;
    }
    Entry e;
    e.entry_id = id;
    if (!e.leftover.ParseFromString(field(item.elements[1], "leftover"))) {
      dead_letter(e, "not a panelwire.v1.Leftover");
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Entry> RedisLeftoverSource::next(std::size_t max, std::chrono::milliseconds wait) {
  const auto count = std::to_string(max);
  if (!own_pending_done_) {
    // After a restart: what this consumer had and did not acknowledge.
    // After a restart: what this consumer had and did not acknowledge, read
    // from a cursor, so entries still held (a drip's pool) come once.
    auto r = redis_.command({"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                             count, "STREAMS", options_.stream, pending_cursor_});
    if (r.type == Reply::Type::array && !r.elements.empty()) {
      const auto& items = r.elements[0].elements.at(1);
      if (!items.elements.empty()) {
        pending_cursor_ = items.elements.back().elements.at(0).str;
        return parse(items);
      }
    }
    own_pending_done_ = true;
  }
  // Entries a dead consumer left behind.
  auto claimed =
      redis_.command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                      std::to_string(options_.claim_after.count()), "0-0", "COUNT", count});
  if (claimed.elements.size() >= 2 && !claimed.elements[1].elements.empty()) {
    auto entries = parse(claimed.elements[1]);
    if (!entries.empty()) return entries;
  }
  std::vector<std::string> argv = {"XREADGROUP",      "GROUP", options_.group,
                                   options_.consumer, "COUNT", count};
  if (wait.count() > 0) argv.insert(argv.end(), {"BLOCK", std::to_string(wait.count())});
  argv.insert(argv.end(), {"STREAMS", options_.stream, ">"});
  auto r = redis_.command(argv);
  if (r.type != Reply::Type::array || r.elements.empty()) {
    drained_ = true;
    return {};
  }
  return parse(r.elements[0].elements.at(1));
}

void RedisLeftoverSource::ack(const Entry& e) {
  redis_.command({"XACK", options_.stream, options_.group, e.entry_id});
}

void RedisLeftoverSource::dead_letter(const Entry& e, const std::string& reason) {
  redis_.command({"EVAL", kDeadLetterScript, "2", options_.dead_letters, options_.stream,
                  options_.group, e.entry_id, e.leftover.leftover_id(),
                  e.leftover.SerializeAsString(), reason});
}

std::vector<DeadLetter> list_dead_letters(RedisClient& redis, const RedisSourceOptions& o) {
  std::vector<DeadLetter> out;
  auto r = redis.command({"XRANGE", o.dead_letters, "-", "+"});
  for (const auto& item : r.elements) {
    if (item.elements.size() < 2) continue;
    out.push_back(DeadLetter{item.elements[0].str, field(item.elements[1], "id"),
                             field(item.elements[1], "reason")});
  }
  return out;
}

std::size_t retry_dead_letters(RedisClient& redis, const RedisSourceOptions& o,
                               const std::string& entry_id) {
  std::size_t moved = 0;
  for (const auto& d : list_dead_letters(redis, o)) {
    if (!entry_id.empty() && d.entry_id != entry_id) continue;
    moved += static_cast<std::size_t>(
        redis.command({"EVAL", kRetryScript, "2", o.dead_letters, o.stream, d.entry_id}).integer);
  }
  return moved;
}

}  // namespace panelwire::forum
