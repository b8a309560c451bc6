#pragma once
// The embedded engine's store: one SQLite database in WAL mode under the
// data directory, written by a thread of its own so no io thread waits for
// the disk. Writes queued while the thread commits go into its next
// transaction, and one fsync makes the whole group durable (group commit).
// Why SQLite: see docs/architecture.md ("Durable embedded engine").

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "panel_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace panelwire::engine {

struct SqliteStoreOptions {
  // Largest the database may grow, in bytes; past it appends fail with
  // UNAVAILABLE as on a full disk, until trimming or ended panels make
  // room. 0: as large as the disk allows.
  std::uint64_t max_bytes = 0;
  // Writes waiting for the disk. One group commit takes them all, so the
  // queue is deep only when the disk stalls; 64k events is minutes of the
  // busiest panel, and the bytes bound keeps it within memory.
  std::size_t max_queued = 65'536;
  std::size_t max_queued_bytes = 64u << 20;
};

class SqlitePanelStore final : public PanelStore {
 public:
  // Opens (creating) `dir`/panels.db, takes it for this process alone,
  // checks it and reads every panel. A failure names the file and why: it
  // cannot be opened, another relay holds it, or its data is damaged.
  static core::Result<std::unique_ptr<SqlitePanelStore>> open(const std::string& dir,
                                                              SqliteStoreOptions options = {});
  ~SqlitePanelStore() override;

  // What open() read; once (later calls give nothing).
  core::Result<std::vector<StoredPanel>> load() override;
  bool write(StoreWrite w, Executor on, std::function<void(core::Result<void>)> done) override;
  void reload(std::string panel_id, Executor on,
              std::function<void(core::Result<StoredPanel>)> done) override;

  const std::string& path() const { return path_; }

 private:
  struct Op {
    StoreWrite w;
    Executor on;
    std::function<void(core::Result<void>)> done;
    // Set for a reload; `w.panel_id` names the panel.
    std::function<void(core::Result<StoredPanel>)> loaded;
  };
  struct Statement;

  SqlitePanelStore(std::string path, SqliteStoreOptions options);
  core::Result<void> init();
  core::Result<void> exec(const char* sql);
  core::Failure error(const std::string& what) const;
  // Every panel, or only `panel` when given, checked.
  core::Result<std::vector<StoredPanel>> read(const std::string* panel);
  // Steps `s` over (panel, seq, blob, crc) rows, each blob's checksum
  // checked; `row(id, seq, blob)` files one or says what is wrong with it,
  // which fails the read naming the file, the panel and the seq.
  template <class Row>
  core::Result<void> scan(Statement& s, const std::string& what, const std::string& table, Row row);
  void run();
  void process(std::deque<Op>& ops);
  // One transaction for ops [from, to), none of them a reload.
  void commit_group(std::deque<Op>& ops, std::size_t from, std::size_t to);
  // Applies one write inside its savepoint; `failed` is set when SQLite
  // itself failed (the savepoint is rolled back).
  core::Result<void> apply(const StoreWrite& w, bool& failed);

  std::string path_;
  SqliteStoreOptions options_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> insert_event_, put_snapshot_, trim_events_, drop_events_,
      drop_snapshot_, read_snapshots_, read_events_, insert_leftovers_, drop_leftovers_,
      read_leftovers_, read_panel_snapshot_, read_panel_events_, read_panel_leftovers_;
  std::vector<StoredPanel> loaded_;
  // Writer thread only (after open): each stored panel's newest seq, for
  // the no-gap rule. Bounded by the panels stored, which the engine bounds.
  std::unordered_map<std::string, std::uint64_t> heads_;

  std::mutex m_;
  std::condition_variable cv_;
  // Overflow rule: write() refuses past options_.max_queued ops or
  // options_.max_queued_bytes; reloads are not refused (see PanelStore).
  std::deque<Op> queue_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace panelwire::engine
