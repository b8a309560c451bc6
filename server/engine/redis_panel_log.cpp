#include "redis_panel_log.h"

#include <random>

namespace panelwire::engine {

namespace {

// KEYS: head, log, snapshot, turn, bytes. ARGV: expected head, entry
// bytes, history events, channel, entries returned on a conflict, appender
// id, "1" to claim the turn, history bytes, retention ms, "1" when the
// entry ends the panel, ended retention ms. Stream ids are "<seq>-0", so
// XRANGE by seq needs no index. A caller behind the head gets the entries
// it lacks with the refusal, so it decides again at once. An appender that
// keeps losing claims the turn: for a moment only it may append, so a node
// whose clients write as fast as another's is not starved.
// The log keeps the last `history events` entries within `history bytes`
// (the byte count of the entries it holds is kept in `bytes`), but never
// trims an entry the newest snapshot does not cover; each append trims a
// bounded number, so the log converges on its bounds. Every append renews
// the panel's retention; the end shortens it.
constexpr const char* kAppendScript = R"lua(
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
local expected = tonumber(ARGV[1])
local turn = redis.call('GET', KEYS[4])
if head == expected and (not turn or turn == ARGV[6]) then
  local seq = head + 1
  redis.call('XADD', KEYS[2], seq .. '-0', 'e', ARGV[2])
  redis.call('SET', KEYS[1], seq)
  redis.call('PUBLISH', ARGV[4], ARGV[2])
  if turn then redis.call('DEL', KEYS[4]) end
  local bytes = redis.call('INCRBY', KEYS[5], #ARGV[2])
  local keep = seq + 1 - tonumber(ARGV[3])
  local covered = tonumber(redis.call('HGET', KEYS[3], 'seq') or '0') + 1
  local max_bytes = tonumber(ARGV[8])
  -- At most 128 a time: a new snapshot may free thousands of entries, and
  -- one script must not hold Redis that long; later appends go on.
  for _ = 1, 128 do
    local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
    if not oldest then break end
    local oseq = tonumber(string.match(oldest[1], '^%d+'))
    if oseq >= covered or (oseq >= keep and bytes <= max_bytes) then break end
    bytes = redis.call('DECRBY', KEYS[5], #oldest[2][2])
    redis.call('XDEL', KEYS[2], oldest[1])
  end
  if ARGV[10] == '1' then redis.call('HSET', KEYS[3], 'ended', '1') end
  local ttl = ARGV[9]
  if redis.call('HGET', KEYS[3], 'ended') == '1' then ttl = ARGV[11] end
  for i = 1, 5 do if i ~= 4 then redis.call('PEXPIRE', KEYS[i], ttl) end end
  return {1, seq}
end
if ARGV[7] == '1' and not turn then redis.call('SET', KEYS[4], ARGV[6], 'PX', 100) end
if head <= expected then return {0, head, {}} end
return {0, head, redis.call('XRANGE', KEYS[2], (expected + 1) .. '-0', '+', 'COUNT', ARGV[5])}
)lua";

// KEYS: head, log, snapshot, bytes. ARGV: history events, retention ms.
// The head, the latest snapshot ('' when none) and the entries from the
// history bound or the snapshot's successor, whichever is older: one
// consistent read. A node loading the panel has clients in it: its
// retention is renewed (never past what an ended panel was given).
constexpr const char* kLoadScript = R"lua(
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
for i = 1, 4 do
  local left = redis.call('PTTL', KEYS[i])
  if left > 0 and left < tonumber(ARGV[2]) and redis.call('HGET', KEYS[3], 'ended') ~= '1' then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
  end
end
local snap = redis.call('HMGET', KEYS[3], 'seq', 'state')
local from = head + 1 - tonumber(ARGV[1])
local covered = tonumber(snap[1] or '0') + 1
if from > covered then from = covered end
if from < 1 then from = 1 end
return {head, snap[2] or '', redis.call('XRANGE', KEYS[2], from .. '-0', '+')}
)lua";

// KEYS: snapshot, head. ARGV: seq, state, "1" when the panel has ended.
// Keeps the newest snapshot, which lives as long as the panel's head. The
// hash's `ended` field, once set (here or by the append of the end), stays.
constexpr const char* kSnapshotScript = R"lua(
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') then
  redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'state', ARGV[2])
  if ARGV[3] == '1' then redis.call('HSET', KEYS[1], 'ended', '1') end
  local left = redis.call('PTTL', KEYS[2])
  if left > 0 then redis.call('PEXPIRE', KEYS[1], left) end
  return 1
end
return 0
)lua";

// A few catch a node up after a lost race; more are read with XRANGE.
constexpr int kMissedOnConflict = 64;

core::Failure unexpected(const char* what) {
  return core::fail(v1::INTERNAL, std::string("unexpected reply to ") + what);
}

}  // namespace

namespace {

// XRANGE's reply: [[id, [field, value, ...]], ...].
core::Result<std::vector<v1::LogEntry>> entries_of(const RedisValue& v) {
  std::vector<v1::LogEntry> out;
  out.reserve(v.elements.size());
  for (const auto& item : v.elements) {
    if (item.elements.size() != 2 || item.elements[1].elements.size() < 2)
      return unexpected("XRANGE");
    v1::LogEntry e;
    if (!e.ParseFromString(item.elements[1].elements[1].str)) return unexpected("XRANGE (entry)");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

RedisPanelKeys keys_for(const std::string& panel_id) {
  // The braces are the hash tag: every key of a panel in one cluster slot.
  const auto tag = "pw:{" + panel_id + "}:";
  return {tag + "head", tag + "log", tag + "live", tag + "snap", tag + "turn", tag + "bytes"};
}

RedisPanelLog::RedisPanelLog(std::shared_ptr<RedisConnection> conn, std::size_t max_events,
                             std::size_t max_bytes, RedisRetention retention)
    : conn_(std::move(conn)),
      max_events_(max_events),
      max_bytes_(max_bytes),
      retention_(retention) {
  std::random_device rd;
  appender_id_ = std::to_string(rd()) + "-" + std::to_string(rd());
}

void RedisPanelLog::append(const std::string& panel_id, std::uint64_t expected_head,
                           const v1::LogEntry& entry, bool claim_turn,
                           std::function<void(core::Result<AppendResult>)> done) {
  auto k = keys_for(panel_id);
  conn_->command(
      {"EVAL", kAppendScript, "5", k.head, k.log, k.snapshot, k.turn, k.bytes,
       std::to_string(expected_head), entry.SerializeAsString(), std::to_string(max_events_),
       k.live, std::to_string(kMissedOnConflict), appender_id_, claim_turn ? "1" : "0",
       std::to_string(max_bytes_), std::to_string(retention_.panel_ttl.count()),
       entry.event().has_panel_ended() ? "1" : "0", std::to_string(retention_.ended_ttl.count())},
      [done = std::move(done)](core::Result<RedisValue> r) {
        if (!r) return done(r.error());
        const auto& v = *r;
        if (v.type != RedisValue::Type::array || v.elements.size() < 2)
          return done(unexpected("the append script"));
        AppendResult a{
            v.elements[0].integer == 1, static_cast<std::uint64_t>(v.elements[1].integer), {}};
        if (v.elements.size() > 2) {
          auto missed = entries_of(v.elements[2]);
          if (!missed) return done(missed.error());
          a.missed = std::move(*missed);
        }
        done(std::move(a));
      });
}

void RedisPanelLog::read_after(const std::string& panel_id, std::uint64_t after, std::size_t limit,
                               std::function<void(core::Result<std::vector<v1::LogEntry>>)> done) {
  conn_->command({"XRANGE", keys_for(panel_id).log, std::to_string(after + 1) + "-0", "+", "COUNT",
                  std::to_string(limit)},
                 [done = std::move(done)](core::Result<RedisValue> r) {
                   if (!r) return done(r.error());
                   done(entries_of(*r));
                 });
}

void RedisPanelLog::load(const std::string& panel_id,
                         std::function<void(core::Result<Loaded>)> done) {
  auto k = keys_for(panel_id);
  conn_->command({"EVAL", kLoadScript, "4", k.head, k.log, k.snapshot, k.bytes,
                  std::to_string(max_events_), std::to_string(retention_.panel_ttl.count())},
                 [done = std::move(done)](core::Result<RedisValue> r) {
                   if (!r) return done(r.error());
                   if (r->elements.size() != 3) return done(unexpected("the load script"));
                   Loaded loaded;
                   loaded.head = static_cast<std::uint64_t>(r->elements[0].integer);
                   const auto& state = r->elements[1].str;
                   if (!state.empty() && !loaded.snapshot.ParseFromString(state))
                     return done(unexpected("the load script (snapshot)"));
                   auto entries = entries_of(r->elements[2]);
                   if (!entries) return done(entries.error());
                   loaded.entries = std::move(*entries);
                   done(std::move(loaded));
                 });
}

void RedisPanelLog::save_snapshot(const std::string& panel_id, const v1::PanelSnapshot& snap,
                                  std::function<void(core::Result<void>)> done) {
  auto k = keys_for(panel_id);
  conn_->command({"EVAL", kSnapshotScript, "2", k.snapshot, k.head, std::to_string(snap.seq()),
                  snap.SerializeAsString(), snap.ended() ? "1" : "0"},
                 [done = std::move(done)](core::Result<RedisValue> r) {
                   if (!r) return done(r.error());
                   done(core::Result<void>{});
                 });
}

void RedisPanelLog::head(const std::string& panel_id,
                         std::function<void(core::Result<std::uint64_t>)> done) {
  conn_->command({"GET", keys_for(panel_id).head}, [done = std::move(done)](auto r) {
    if (!r) return done(r.error());
    if (r->type == RedisValue::Type::nil) return done(std::uint64_t{0});
    try {
      done(static_cast<std::uint64_t>(std::stoull(r->str)));
    } catch (...) {
      done(unexpected("GET head"));
    }
  });
}

}  // namespace panelwire::engine
