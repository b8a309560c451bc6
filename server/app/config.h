#pragma once
// panelwire-server configuration: flags, PANELWIRE_* environment variables
// and an INI-style config file, in that order of precedence.

#include <optional>
#include <string>

#include "engine.h"
#include "heap_trimmer.h"
#include "panel_catalog.h"
#include "relay_config.h"

namespace panelwire::app {

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  unsigned short listen_port = 8080;
  // The metrics port (GET /metrics, Prometheus text). Off unless given, so
  // the figures are never public by accident: give it a private address.
  std::string metrics_host;
  unsigned short metrics_port = 0;
  // PEM certificate (with its chain) and key: --listen then speaks only
  // wss:// and https://. Both read again on SIGHUP. Empty: plain ws://.
  std::string tls_cert_file;
  std::string tls_key_file;
  // 0: one io thread per CPU this process may run on.
  unsigned threads = 0;
  std::string log_level = "info";
  // Time sessions get to close on SIGTERM before the process exits anyway.
  // Longer than the close timeout (5 s), so a client that never answers the
  // close frame is cut by its own timer before the exit; under the 10 s a
  // container gets between SIGTERM and SIGKILL.
  std::chrono::milliseconds drain_timeout{8'000};
  // JSON file of the configured panels; empty: panels are made on first join.
  std::string panels_file;
  core::PanelCatalog catalog;
  // The embedded engine's leftover outbox (JSON lines, append-only).
  std::string outbox_file = "panelwire-outbox.jsonl";
  // The embedded engine keeps its panels here (panels.db), so a restart
  // loses nothing acknowledged; empty (--in-memory): in memory only, gone
  // at exit.
  std::string data_dir = "panelwire-data";
  // Largest the data may grow; past it commands fail with UNAVAILABLE while
  // joins and reads go on. 0: as large as the disk allows.
  std::uint64_t data_max_bytes = 0;
  // redis://[:password@]host:port[/db]: panels shared with every node on
  // that Redis, leftovers published there. Empty: the embedded engine.
  std::string redis_url;
  // Overrides a password in the URL, so the URL may be logged.
  std::string redis_password;
  // No id secret was given nor derived: guests' ids hold for this process
  // only (several nodes would each give a guest another id).
  bool id_secret_random = false;
  // The built browser pages (client-sdk/web); empty: web/ beside the
  // binary's bin/ directory, as the build lays it out.
  std::string web_root;
  // Panels made on first join (no panel list): how long and how many.
  engine::Retention retention;
  HeapTrimPolicy heap_trim;
  net::RelayConfig relay;
};

// Parses argv/environment/file. Returns nullopt after printing help or an
// error; `exit_code` says which.
std::optional<ServerConfig> parse_config(int argc, char** argv, int& exit_code);

}  // namespace panelwire::app
