#include "command_window.h"

namespace panelwire::core {

namespace {

// Client ids are visible ASCII (valid_token_id), so the unit separator
// cannot occur in one and the split is unambiguous.
constexpr char kSeparator = '\x1f';

std::pair<std::string_view, std::string_view> split(std::string_view key) {
  auto at = key.find(kSeparator);
  if (at == std::string_view::npos) return {std::string_view(), key};
  return {key.substr(0, at), key.substr(at + 1)};
}

}  // namespace

std::string command_key(std::string_view client_id, std::string_view command_id) {
  std::string key;
  key.reserve(client_id.size() + 1 + command_id.size());
  key.append(client_id).push_back(kSeparator);
  key.append(command_id);
  return key;
}

std::optional<std::uint64_t> CommandWindow::find(const std::string& key) const {
  auto [client, id] = split(key);
  auto it = clients_.find(client);
  if (it == clients_.end()) return std::nullopt;
  for (const auto& [known, seq] : it->second->commands)
    if (known == id) return seq;
  return std::nullopt;
}

void CommandWindow::remember(const std::string& key, std::uint64_t seq) {
  if (limits_.per_client == 0 || limits_.clients == 0) return;
  auto [client, id] = split(key);
  auto it = clients_.find(client);
  if (it == clients_.end()) {
    if (clients_.size() == limits_.clients) {
      auto& oldest = lru_.front();
      size_ -= oldest.commands.size();
      clients_.erase(oldest.id);
      lru_.pop_front();
    }
    lru_.push_back(Client{std::string(client), {}});
    it = clients_.emplace(lru_.back().id, std::prev(lru_.end())).first;
  } else {
    lru_.splice(lru_.end(), lru_, it->second);
  }
  auto& commands = it->second->commands;
  if (commands.size() == limits_.per_client) {
    commands.pop_front();
    --size_;
  }
  commands.emplace_back(std::string(id), seq);
  ++size_;
}

}  // namespace panelwire::core
