#pragma once
// Remembers the commands applied in a panel, client by client, so that a
// command retried with the same id is applied once.
//
// Per client, not per panel: a window shared by everyone is flushed by
// anyone's traffic (a few sockpuppets sending fast), and the retry a client
// sends after it reconnects is applied twice. Here a client's commands are
// forgotten only when it sends more of its own, or when `clients` others
// have applied a command since it last did.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace panelwire::core {

struct CommandWindowLimits {
  // Commands remembered per client. A client retries only what was not yet
  // acknowledged, and the relay holds at most 32 of its commands in flight
  // (RelayConfig::max_inflight_commands).
  std::size_t per_client = 32;
  // Clients remembered per panel, the least recently active forgotten
  // first: a sockpuppet flood must bring this many identities, each paced
  // per address, between a command and its retry. At most per_client x
  // clients keys (about 6 MiB at their longest) per panel.
  std::size_t clients = 2'048;
};

// The key of one command: the client that sent it and its id.
std::string command_key(std::string_view client_id, std::string_view command_id);

class CommandWindow {
 public:
  explicit CommandWindow(CommandWindowLimits limits) : limits_(limits) {}
  // The index points into the list: moving keeps list nodes where they are,
  // copying would not.
  CommandWindow(const CommandWindow&) = delete;
  CommandWindow& operator=(const CommandWindow&) = delete;
  CommandWindow(CommandWindow&&) = default;
  CommandWindow& operator=(CommandWindow&&) = default;

  std::optional<std::uint64_t> find(const std::string& key) const;

  // Overflow rule: the client's oldest command goes once it has per_client;
  // the least recently active client (all its commands) once there are
  // `clients`.
  void remember(const std::string& key, std::uint64_t seq);

  // Commands remembered, across clients.
  std::size_t size() const { return size_; }

  // Calls f(key, seq) for each remembered command: clients from the least
  // recently active, each client's commands oldest first. remember() in
  // this order rebuilds the same window.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& client : lru_)
      for (const auto& [id, seq] : client.commands) f(command_key(client.id, id), seq);
  }

 private:
  struct Client {
    std::string id;
    // Command ids, oldest first.
    std::deque<std::pair<std::string, std::uint64_t>> commands;
  };

  CommandWindowLimits limits_;
  // Least recently active first.
  std::list<Client> lru_;
  std::unordered_map<std::string_view, std::list<Client>::iterator> clients_;
  std::size_t size_ = 0;
};

}  // namespace panelwire::core
