#include "redis_panel_log.h"

namespace panelwire::engine {

namespace {

// KEYS: head, log. ARGV: expected head, entry bytes, max entries, channel.
// Stream ids are "<seq>-0", so XRANGE by seq needs no index.
constexpr const char* kAppendScript = R"lua(
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
if head ~= tonumber(ARGV[1]) then return {0, head} end
local seq = head + 1
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0', 'e', ARGV[2])
redis.call('SET', KEYS[1], seq)
redis.call('PUBLISH', ARGV[4], ARGV[2])
return {1, seq}
)lua";

core::Failure unexpected(const char* what) {
  return core::fail(v1::INTERNAL, std::string("unexpected reply to ") + what);
}

}  // namespace

RedisPanelKeys keys_for(const std::string& panel_id) {
  // The braces are the hash tag: every key of a panel in one cluster slot.
  const auto tag = "pw:{" + panel_id + "}:";
  return {tag + "head", tag + "log", tag + "live"};
}

RedisPanelLog::RedisPanelLog(std::shared_ptr<RedisConnection> conn, std::size_t max_events)
    : conn_(std::move(conn)), max_events_(max_events) {}

void RedisPanelLog::append(const std::string& panel_id, std::uint64_t expected_head,
                           const v1::LogEntry& entry,
                           std::function<void(core::Result<AppendResult>)> done) {
  auto k = keys_for(panel_id);
  conn_->command({"EVAL", kAppendScript, "2", k.head, k.log, std::to_string(expected_head),
                  entry.SerializeAsString(), std::to_string(max_events_), k.live},
                 [done = std::move(done)](core::Result<RedisValue> r) {
                   if (!r) return done(r.error());
                   const auto& v = *r;
                   if (v.type != RedisValue::Type::array || v.elements.size() != 2)
                     return done(unexpected("the append script"));
                   done(AppendResult{v.elements[0].integer == 1,
                                     static_cast<std::uint64_t>(v.elements[1].integer)});
                 });
}

void RedisPanelLog::read_after(const std::string& panel_id, std::uint64_t after, std::size_t limit,
                               std::function<void(core::Result<std::vector<v1::LogEntry>>)> done) {
  conn_->command({"XRANGE", keys_for(panel_id).log, std::to_string(after + 1) + "-0", "+", "COUNT",
                  std::to_string(limit)},
                 [done = std::move(done)](core::Result<RedisValue> r) {
                   if (!r) return done(r.error());
                   std::vector<v1::LogEntry> out;
                   for (const auto& item : r->elements) {
                     // [id, [field, value, ...]]
                     if (item.elements.size() != 2 || item.elements[1].elements.size() < 2)
                       return done(unexpected("XRANGE"));
                     v1::LogEntry e;
                     if (!e.ParseFromString(item.elements[1].elements[1].str))
                       return done(unexpected("XRANGE (entry)"));
                     out.push_back(std::move(e));
                   }
                   done(std::move(out));
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
