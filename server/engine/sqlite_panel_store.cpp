#include "sqlite_panel_store.h"

#include <sqlite3.h>

#include <filesystem>
#include <map>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/crc.hpp>

namespace panelwire::engine {

namespace {

// Bumped when the tables change; a newer file is refused, not misread.
constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS events(
  panel TEXT NOT NULL, seq INTEGER NOT NULL, entry BLOB NOT NULL, crc INTEGER NOT NULL,
  PRIMARY KEY(panel, seq)) WITHOUT ROWID;
-- The key's columns first, in order: SQLite 3.40's quick_check misreads a
-- WITHOUT ROWID table whose key skips a column.
CREATE TABLE IF NOT EXISTS leftovers(
  panel TEXT NOT NULL, seq INTEGER NOT NULL, crc INTEGER NOT NULL, batch BLOB NOT NULL,
  PRIMARY KEY(panel, seq, crc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots(
  panel TEXT PRIMARY KEY, seq INTEGER NOT NULL, snapshot BLOB NOT NULL, crc INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

// SQLite checks its WAL frames but not the pages of the database: a flipped
// bit in a record would be read back as valid data. Each record carries
// its own checksum.
std::int64_t crc_of(const std::string& bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

core::Failure unavailable(std::string detail) {
  return core::fail(v1::UNAVAILABLE, std::move(detail));
}

}  // namespace

// A prepared statement, reset after each use.
struct SqlitePanelStore::Statement {
  sqlite3_stmt* stmt = nullptr;
  ~Statement() { sqlite3_finalize(stmt); }
  void bind(int i, const std::string& text) {
    sqlite3_bind_text(stmt, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, const std::string& bytes) {
    sqlite3_bind_blob(stmt, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, std::int64_t v) { sqlite3_bind_int64(stmt, i, v); }
  // Runs a statement that returns no rows.
  int run() {
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc;
  }
  std::string text(int col) const {
    auto p = static_cast<const char*>(sqlite3_column_blob(stmt, col));
    return p ? std::string(p, sqlite3_column_bytes(stmt, col)) : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt, col); }
  void done() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

SqlitePanelStore::SqlitePanelStore(std::string path, SqliteStoreOptions options)
    : path_(std::move(path)), options_(options) {}

core::Result<std::unique_ptr<SqlitePanelStore>> SqlitePanelStore::open(const std::string& dir,
                                                                       SqliteStoreOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unavailable("cannot create the data directory " + dir + ": " + ec.message());
  auto path = (std::filesystem::path(dir) / "panels.db").string();
  std::unique_ptr<SqlitePanelStore> store(new SqlitePanelStore(path, options));
  if (auto r = store->init(); !r) return r.error();
  auto all = store->read(nullptr);
  if (!all) return all.error();
  for (const auto& p : *all) {
    auto head = p.snapshot ? p.snapshot->seq() : 0;
    if (!p.entries.empty()) head = std::max<std::uint64_t>(head, p.entries.back().event().seq());
    store->heads_[p.id] = head;
  }
  store->loaded_ = std::move(*all);
  store->thread_ = std::thread([s = store.get()] { s->run(); });
  return store;
}

SqlitePanelStore::~SqlitePanelStore() {
  {
    std::lock_guard lock(m_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
  insert_event_.reset();
  put_snapshot_.reset();
  trim_events_.reset();
  drop_events_.reset();
  drop_snapshot_.reset();
  read_snapshots_.reset();
  read_events_.reset();
  insert_leftovers_.reset();
  drop_leftovers_.reset();
  read_leftovers_.reset();
  read_panel_snapshot_.reset();
  read_panel_events_.reset();
  read_panel_leftovers_.reset();
  // Closing checkpoints the WAL into the database and removes it.
  sqlite3_close(db_);
}

core::Failure SqlitePanelStore::error(const std::string& what) const {
  return unavailable(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

core::Result<void> SqlitePanelStore::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) == SQLITE_OK) return {};
  std::string detail = msg ? msg : "unknown error";
  sqlite3_free(msg);
  return unavailable(path_ + ": " + detail);
}

core::Result<void> SqlitePanelStore::init() {
  // Serialized mode: open() reads on the caller's thread, then the writer
  // thread has the connection to itself.
  if (sqlite3_open_v2(path_.c_str(), &db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    return error("cannot open");
  // One relay per data directory: the exclusive lock is taken now and held
  // until the process ends, so a second relay on the same directory fails
  // here instead of interleaving seqs with the first.
  if (auto r = exec("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;"); !r) {
    const bool busy = sqlite3_errcode(db_) == SQLITE_BUSY;
    return unavailable(r.error().message +
                       (busy ? " (is another panelwire-server using this directory?)" : ""));
  }
  // WAL: a commit appends to the log and syncs it once (FULL), which is
  // the group commit; a torn last transaction fails its frame checksums
  // and is dropped when the database is next opened.
  {
    // The pragma answers with the mode it is in, which is not WAL when it
    // could not switch: then commits would not be what this file promises.
    Statement wal;
    sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &wal.stmt, nullptr);
    if (sqlite3_step(wal.stmt) != SQLITE_ROW || wal.text(0) != "wal")
      return error("cannot switch to WAL mode");
  }
  if (auto r = exec("PRAGMA synchronous=FULL;"); !r) return r;
  {
    Statement check;
    if (sqlite3_prepare_v2(db_, "PRAGMA quick_check", -1, &check.stmt, nullptr) != SQLITE_OK)
      return error("cannot check the database (is it a panelwire data file?)");
    std::string problems;
    while (sqlite3_step(check.stmt) == SQLITE_ROW) {
      auto line = check.text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    if (sqlite3_errcode(db_) != SQLITE_OK && sqlite3_errcode(db_) != SQLITE_DONE)
      return error("cannot check the database (is it a panelwire data file?)");
    if (!problems.empty()) return unavailable(path_ + ": the database is damaged: " + problems);
  }
  {
    Statement version;
    sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &version.stmt, nullptr);
    if (sqlite3_step(version.stmt) == SQLITE_ROW && version.integer(0) > kSchemaVersion)
      return unavailable(path_ + ": written by a newer panelwire (schema " +
                         std::to_string(version.integer(0)) + ")");
  }
  if (auto r = exec(kSchema); !r) return r;
  if (auto r = exec(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str()); !r)
    return r;
  if (options_.max_bytes > 0) {
    const auto pages = std::max<std::uint64_t>(1, options_.max_bytes / 4096);
    if (auto r = exec(("PRAGMA max_page_count=" + std::to_string(pages)).c_str()); !r) return r;
  }
  auto prepare = [&](std::unique_ptr<Statement>& s, const char* sql) {
    s = std::make_unique<Statement>();
    return sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt, nullptr) ==
           SQLITE_OK;
  };
  if (!prepare(insert_leftovers_,
               "INSERT OR IGNORE INTO leftovers(panel, seq, batch, crc) VALUES(?1, ?2, ?3, ?4)") ||
      !prepare(drop_leftovers_,
               "DELETE FROM leftovers WHERE panel = ?1 AND seq = ?2 AND crc = ?3") ||
      !prepare(read_leftovers_,
               "SELECT panel, seq, batch, crc FROM leftovers ORDER BY panel, seq") ||
      !prepare(insert_event_,
               "INSERT INTO events(panel, seq, entry, crc) VALUES(?1, ?2, ?3, ?4)") ||
      !prepare(
          put_snapshot_,
          "INSERT OR REPLACE INTO snapshots(panel, seq, snapshot, crc) VALUES(?1, ?2, ?3, ?4)") ||
      !prepare(trim_events_, "DELETE FROM events WHERE panel = ?1 AND seq < ?2") ||
      !prepare(drop_events_, "DELETE FROM events WHERE panel = ?1") ||
      !prepare(drop_snapshot_, "DELETE FROM snapshots WHERE panel = ?1") ||
      !prepare(read_snapshots_, "SELECT panel, seq, snapshot, crc FROM snapshots") ||
      !prepare(read_events_, "SELECT panel, seq, entry, crc FROM events ORDER BY panel, seq") ||
      // One panel's, for a reload: by the primary key, not a scan.
      !prepare(read_panel_snapshot_,
               "SELECT panel, seq, snapshot, crc FROM snapshots WHERE panel = ?1") ||
      !prepare(read_panel_events_,
               "SELECT panel, seq, entry, crc FROM events WHERE panel = ?1 ORDER BY seq") ||
      !prepare(read_panel_leftovers_,
               "SELECT panel, seq, batch, crc FROM leftovers WHERE panel = ?1 ORDER BY seq"))
    return error("cannot prepare statements");
  return {};
}

template <class Row>
core::Result<void> SqlitePanelStore::scan(Statement& s, const std::string& what,
                                          const std::string& table, Row row) {
  int rc;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    auto id = s.text(0);
    auto seq = s.integer(1);
    auto bytes = s.text(2);
    auto wrong = crc_of(bytes) != s.integer(3) ? std::optional(what + " checksum")
                                               : row(id, seq, std::move(bytes));
    if (wrong) {
      s.done();
      return unavailable(path_ + ": panel \"" + id + "\" seq " + std::to_string(seq) + ": " +
                         *wrong +
                         "; not starting on data that cannot be vouched for (restore a backup, "
                         "or move the directory away to start empty)");
    }
  }
  s.done();
  if (rc != SQLITE_DONE) return error("cannot read " + table);
  return {};
}

core::Result<std::vector<StoredPanel>> SqlitePanelStore::read(const std::string* panel) {
  using Wrong = std::optional<std::string>;
  std::map<std::string, StoredPanel> panels;
  auto panel_of = [&](const std::string& id) -> StoredPanel& {
    auto& p = panels[id];
    p.id = id;
    return p;
  };
  auto& snapshots = panel ? *read_panel_snapshot_ : *read_snapshots_;
  auto& events = panel ? *read_panel_events_ : *read_events_;
  auto& leftovers = panel ? *read_panel_leftovers_ : *read_leftovers_;
  if (panel)
    for (auto* s : {&snapshots, &events, &leftovers}) s->bind(1, *panel);
  auto read_snapshots =
      scan(snapshots, "snapshot", "snapshots",
           [&](const std::string& id, std::int64_t seq, std::string bytes) {
             v1::PanelSnapshot snap;
             if (!snap.ParseFromString(bytes) || static_cast<std::int64_t>(snap.seq()) != seq)
               return Wrong("snapshot does not parse");
             panel_of(id).snapshot = std::move(snap);
             return Wrong();
           });
  if (!read_snapshots) return read_snapshots.error();
  auto read_events = scan(
      events, "event", "events", [&](const std::string& id, std::int64_t seq, std::string bytes) {
        v1::LogEntry entry;
        if (!entry.ParseFromString(bytes) || static_cast<std::int64_t>(entry.event().seq()) != seq)
          return Wrong("event does not parse");
        auto& p = panel_of(id);
        const auto at = static_cast<std::uint64_t>(seq);
        if (!p.entries.empty() && at != p.entries.back().event().seq() + 1)
          return Wrong("an event is missing before it");
        if (p.entries.empty() && !p.snapshot && at != 1)
          return Wrong("an event is missing before it");
        if (p.entries.empty() && p.snapshot && at > p.snapshot->seq() + 1)
          return Wrong("events are missing after the snapshot");
        p.entries.push_back(std::move(entry));
        return Wrong();
      });
  if (!read_events) return read_events.error();
  auto read_leftovers = scan(leftovers, "leftovers", "leftovers",
                             [&](const std::string& id, std::int64_t, std::string bytes) {
                               v1::LeftoverBatch batch;
                               if (!batch.ParseFromString(bytes))
                                 return Wrong("leftovers do not parse");
                               panel_of(id).unpublished.push_back(std::move(batch));
                               return Wrong();
                             });
  if (!read_leftovers) return read_leftovers.error();
  std::vector<StoredPanel> out;
  out.reserve(panels.size());
  for (auto& [id, p] : panels) out.push_back(std::move(p));
  return out;
}

core::Result<std::vector<StoredPanel>> SqlitePanelStore::load() {
  return std::exchange(loaded_, {});
}

bool SqlitePanelStore::write(StoreWrite w, Executor on,
                             std::function<void(core::Result<void>)> done) {
  {
    std::lock_guard lock(m_);
    const auto bytes = w.bytes.size() + w.leftovers.size() + w.panel_id.size();
    if (queue_.size() >= options_.max_queued || queued_bytes_ + bytes > options_.max_queued_bytes)
      return false;
    queued_bytes_ += bytes;
    queue_.push_back(Op{std::move(w), std::move(on), std::move(done), {}});
  }
  cv_.notify_one();
  return true;
}

void SqlitePanelStore::reload(std::string panel_id, Executor on,
                              std::function<void(core::Result<StoredPanel>)> done) {
  {
    std::lock_guard lock(m_);
    StoreWrite w;
    w.panel_id = std::move(panel_id);
    queue_.push_back(Op{std::move(w), std::move(on), {}, std::move(done)});
  }
  cv_.notify_one();
}

void SqlitePanelStore::run() {
  std::deque<Op> ops;
  for (;;) {
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      // Everything queued while the last commit synced goes in this one.
      ops.swap(queue_);
      queued_bytes_ = 0;
    }
    process(ops);
    ops.clear();
  }
}

void SqlitePanelStore::process(std::deque<Op>& ops) {
  std::size_t i = 0;
  while (i < ops.size()) {
    if (ops[i].loaded) {
      auto& op = ops[i++];
      const auto& id = op.w.panel_id;
      auto r = read(&id);
      core::Result<StoredPanel> one =
          r ? (r->empty() ? StoredPanel{id, {}, {}, {}} : std::move(r->front()))
            : core::Result<StoredPanel>(r.error());
      boost::asio::post(op.on, [done = std::move(op.loaded), one = std::move(one)]() mutable {
        done(std::move(one));
      });
      continue;
    }
    auto j = i;
    while (j < ops.size() && !ops[j].loaded) ++j;
    commit_group(ops, i, j);
    i = j;
  }
}

void SqlitePanelStore::commit_group(std::deque<Op>& ops, std::size_t from, std::size_t to) {
  std::vector<core::Result<void>> results;
  results.reserve(to - from);
  // Heads as they were, to put back if the transaction does not commit.
  std::unordered_map<std::string, std::optional<std::uint64_t>> before;
  bool broken = !exec("BEGIN IMMEDIATE");
  for (auto k = from; k < to && !broken; ++k) {
    const auto& w = ops[k].w;
    auto it = heads_.find(w.panel_id);
    const auto head = it == heads_.end() ? std::nullopt : std::optional(it->second);
    before.try_emplace(w.panel_id, head);
    // Each write in a savepoint of its own: one that fails (a full
    // database) is undone alone, and the others of the group (another
    // panel's events, a trim or drop that makes room) still commit.
    bool failed = !exec("SAVEPOINT w");
    auto r = failed ? core::Result<void>(error("savepoint")) : apply(w, failed);
    if (failed) {
      r = r ? core::Result<void>(error("write failed")) : r;
      broken = !exec("ROLLBACK TO w; RELEASE w");
      if (head)
        heads_[w.panel_id] = *head;
      else
        heads_.erase(w.panel_id);
    } else {
      broken = !exec("RELEASE w");
    }
    results.push_back(std::move(r));
  }
  std::optional<core::Failure> failed;
  if (broken) {
    failed = error("write failed");
  } else if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    failed = error("commit failed");
  }
  if (failed) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    for (auto& [id, head] : before) {
      if (head)
        heads_[id] = *head;
      else
        heads_.erase(id);
    }
  }
  for (auto k = from; k < to; ++k) {
    auto r = failed ? core::Result<void>(*failed) : std::move(results[k - from]);
    boost::asio::post(ops[k].on, [done = std::move(ops[k].done), r = std::move(r)]() mutable {
      done(std::move(r));
    });
  }
}

core::Result<void> SqlitePanelStore::apply(const StoreWrite& w, bool& failed) {
  auto step = [&](Statement& s) {
    if (s.run() == SQLITE_DONE) return true;
    failed = true;
    return false;
  };
  const auto id = w.panel_id;
  switch (w.kind) {
    case StoreWrite::Kind::append: {
      auto& head = heads_[id];
      if (w.seq != head + 1)
        return unavailable("event " + std::to_string(w.seq) + " of panel " + id +
                           " does not follow the stored seq " + std::to_string(head));
      auto& s = *insert_event_;
      s.bind(1, id);
      s.bind(2, static_cast<std::int64_t>(w.seq));
      s.bind_blob(3, w.bytes);
      s.bind(4, crc_of(w.bytes));
      if (!step(s)) return error("append");
      if (!w.leftovers.empty()) {
        auto& l = *insert_leftovers_;
        l.bind(1, id);
        l.bind(2, static_cast<std::int64_t>(w.seq));
        l.bind_blob(3, w.leftovers);
        l.bind(4, crc_of(w.leftovers));
        if (!step(l)) return error("leftovers");
      }
      head = w.seq;
      return {};
    }
    case StoreWrite::Kind::snapshot: {
      auto it = heads_.find(id);
      if (it == heads_.end() || w.seq > it->second)
        return unavailable("snapshot " + std::to_string(w.seq) + " of panel " + id +
                           " is ahead of its stored events");
      auto& s = *put_snapshot_;
      s.bind(1, id);
      s.bind(2, static_cast<std::int64_t>(w.seq));
      s.bind_blob(3, w.bytes);
      s.bind(4, crc_of(w.bytes));
      if (!step(s)) return error("snapshot");
      auto& t = *trim_events_;
      t.bind(1, id);
      t.bind(2, static_cast<std::int64_t>(std::min(w.keep_from, w.seq + 1)));
      if (!step(t)) return error("trim");
      return {};
    }
    case StoreWrite::Kind::drop: {
      drop_events_->bind(1, id);
      drop_snapshot_->bind(1, id);
      if (!step(*drop_events_) || !step(*drop_snapshot_)) return error("drop");
      heads_.erase(id);
      return {};
    }
    case StoreWrite::Kind::published: {
      auto& d = *drop_leftovers_;
      d.bind(1, id);
      d.bind(2, static_cast<std::int64_t>(w.seq));
      d.bind(3, crc_of(w.leftovers));
      if (!step(d)) return error("published");
      return {};
    }
  }
  return {};
}

}  // namespace panelwire::engine
