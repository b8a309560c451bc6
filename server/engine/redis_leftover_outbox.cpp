#include "redis_leftover_outbox.h"

#include <boost/asio/post.hpp>

#include "leftover.h"

namespace panelwire::engine {

namespace {

// A marker outlives any retry of its batch by far; after that it goes, so
// markers do not pile up for ever.
constexpr std::chrono::hours kMarkerLife{24 * 30};

// Bounds the stream against an importer that never comes: far beyond any
// real backlog (a panel leaves tens of items), trimmed oldest first.
constexpr const char* kStreamBound = "1000000";

// KEYS: marker, stream. ARGV: marker life (s), channel, stream bound, then
// per item its leftover_id and its bytes.
constexpr const char* kPublishScript = R"lua(
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
for i = 4, #ARGV, 2 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'id', ARGV[i], 'leftover', ARGV[i + 1])
  redis.call('PUBLISH', ARGV[2], ARGV[i + 1])
end
return 1
)lua";

}  // namespace

std::string RedisLeftoverKeys::marker(const v1::LeftoverBatch& batch) {
  return std::string(stream) +
         ":batch:" + core::panel_life_id(batch.panel_id(), batch.started_at_ms(), batch.seq());
}

RedisLeftoverOutbox::RedisLeftoverOutbox(Executor ex, RedisEndpoint endpoint,
                                         RedisConnection::Options options)
    : ex_(ex), conn_(RedisConnection::create(ex, std::move(endpoint), std::move(options))) {}

RedisLeftoverOutbox::~RedisLeftoverOutbox() = default;

void RedisLeftoverOutbox::start() {
  boost::asio::post(ex_, [c = conn_] { c->start(); });
}

void RedisLeftoverOutbox::publish(v1::LeftoverBatch batch,
                                  std::function<void(core::Result<void>)> done) {
  std::vector<std::string> argv = {"EVAL",
                                   kPublishScript,
                                   "2",
                                   RedisLeftoverKeys::marker(batch),
                                   RedisLeftoverKeys::stream,
                                   std::to_string(std::chrono::seconds(kMarkerLife).count()),
                                   RedisLeftoverKeys::channel,
                                   kStreamBound};
  for (const auto& item : batch.items()) {
    argv.push_back(item.leftover_id());
    argv.push_back(item.SerializeAsString());
  }
  boost::asio::post(ex_, [c = conn_, argv = std::move(argv), done = std::move(done)]() mutable {
    c->command(std::move(argv), [done = std::move(done)](core::Result<RedisValue> r) {
      if (!r) return done(r.error());
      done(core::Result<void>{});
    });
  });
}

}  // namespace panelwire::engine
