#pragma once
// The panelwire C++ SDK: one client in one panel, over one WebSocket at a
// time, reconnecting and resuming on its own.
//
// Threading: a Client lives on the executor given to create(); call its
// methods there (post to it from other threads). Callbacks run there too.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "panelwire/client/codec.h"
#include "panelwire/client/command_queue.h"
#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::client {

enum class State { connecting, joined, disconnected, stopped };

struct Options {
  // ws://host:port/v1/ws, tried in turn on reconnect.
  std::vector<std::string> urls;
  std::string panel_id;
  std::string display_name;
  // Kept for the Client's life so the server recognises retried commands;
  // random when empty.
  std::string client_id;
  WireFormat format = WireFormat::proto;
  bool reconnect = true;
  // Exponential backoff with jitter between reconnects.
  std::chrono::milliseconds reconnect_min{100};
  std::chrono::milliseconds reconnect_max{5000};
  // A signed participant token; empty joins as a guest.
  std::string token;
  v1::QuestionOrder question_order = v1::POPULAR;
  // Initial resume point; normally empty.
  std::optional<std::uint64_t> resume_after;
  // Commands waiting for their ack (sent or queued while disconnected);
  // beyond this a command fails locally with UNAVAILABLE.
  std::size_t max_pending_commands = 1024;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  static std::shared_ptr<Client> create(boost::asio::any_io_executor ex, Options opts);
  ~Client();

  std::function<void(const v1::Welcome&)> on_welcome;
  // Each event of the panel once, in seq order, across reconnects.
  std::function<void(const v1::Event&)> on_event;
  std::function<void(State, const std::string& why)> on_state;
  // Every time a connection ends: its close code, 0 when there was none.
  std::function<void(std::uint16_t code, const std::string& reason)> on_close;

  void start();
  // Closes with 1000, fails pending commands with UNAVAILABLE, no reconnect.
  void stop();
  // Drops the TCP connection without a close frame (a network failure, for
  // tests); a reconnect follows when enabled.
  void drop();

  // Each returns the command id; `done` gets the server's ack exactly once
  // (or a local UNAVAILABLE after stop() or when too many are pending).
  std::string send_chat(std::string text, AckHandler done);
  std::string delete_chat(std::uint64_t chat_seq, AckHandler done);
  std::string ping(AckHandler done);
  std::string send(v1::ClientMessage cmd, AckHandler done);

  std::uint64_t last_seq() const { return last_seq_; }
  State state() const { return state_; }
  const v1::Welcome* welcome() const { return welcome_ ? &*welcome_ : nullptr; }
  const std::string& client_id() const { return opts_.client_id; }
  // Why the server refused to let this client join, once it has (the client
  // is then stopped): its typed error, so a caller can tell a refusal for
  // good from one worth trying again.
  const std::optional<v1::Error>& join_refusal() const { return join_refusal_; }

 private:
  struct Connection;
  Client(boost::asio::any_io_executor ex, Options opts);

  void connect();
  void on_connected(std::shared_ptr<Connection> c);
  void do_read(std::shared_ptr<Connection> c);
  void on_message(const std::shared_ptr<Connection>& c, const v1::ServerMessage& msg);
  void on_hello_ack(const std::shared_ptr<Connection>& c, const v1::Ack& ack);
  // False when the connection's write queue is full.
  bool write(const std::shared_ptr<Connection>& c, const v1::ClientMessage& msg);
  void refuse(const std::string& id);
  void do_write(std::shared_ptr<Connection> c);
  void lost(const std::shared_ptr<Connection>& c, std::uint16_t code, const std::string& why);
  void schedule_reconnect();
  void set_state(State s, const std::string& why);

  boost::asio::any_io_executor ex_;
  Options opts_;
  State state_ = State::disconnected;
  std::shared_ptr<Connection> conn_;
  std::optional<v1::Welcome> welcome_;
  std::optional<v1::Error> join_refusal_;
  std::uint64_t last_seq_ = 0;
  bool seen_seq_ = false;
  std::uint64_t next_id_ = 1;
  std::string id_prefix_;
  std::size_t url_index_ = 0;
  std::chrono::milliseconds backoff_{0};
  CommandQueue commands_;
  struct Timer;
  std::unique_ptr<Timer> reconnect_timer_;
};

}  // namespace panelwire::client
