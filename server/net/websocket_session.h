#pragma once
// One client connection after the upgrade: owns its socket and outbound
// queue, speaks the protocol, and is a member of at most one panel.
//
// Beast completes the upgrade; from there the session moves the frames
// itself. It reads only when the socket is readable, into the shard's
// buffer (core::WsReader parses), and writes prebuilt frames from its
// queue, control frames among them, one gathered write at a time; an idle
// session holds neither a read buffer nor a pending write.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include "audit.h"
#include "client_stream.h"
#include "codec.h"
#include "event_cursor.h"
#include "outbound_queue.h"
#include "shard.h"
#include "ws_reader.h"

namespace panelwire::net {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

class WebsocketSession final : public std::enable_shared_from_this<WebsocketSession>,
                               public PanelMember,
                               public Drainable,
                               public Flushable,
                               public Keepalive {
 public:
  // `client` is the address the connection is counted under (the peer, or
  // the client a trusted proxy named).
  WebsocketSession(ClientStream&& stream, Shard& shard, core::WireFormat format, std::uint64_t id,
                   ConnectionGate::Lease lease, std::string client);
  ~WebsocketSession();

  // Completes the upgrade; `subprotocol` is echoed when the client offered one.
  void run(beast::http::request<beast::http::empty_body> req, std::string_view subprotocol);

  void on_subscribed(const core::Result<void>& result) override;
  void on_panel_event(const core::EventPtr& ev, bool batch) override;
  void drain() override;
  void abort() override;
  void count(ShardStats& into) const override;
  void flush() override;
  void keepalive_tick() override;

 private:
  // Where the protocol is; closing_ is apart from it and never undone, so
  // nothing that runs after a close (a completion, the rest of a handler)
  // can move the session back into a live phase.
  enum class Phase : std::uint8_t { upgrading, awaiting_hello, joining, joined };

  void on_accept(beast::error_code ec);
  // Reads once the socket is readable, unless reading is paused (a join or
  // too many commands in flight) or already under way.
  void do_read();
  bool may_read() const;
  void read_ready();
  // Parses what was read until reading pauses; returns the bytes taken.
  std::size_t parse(std::span<char> bytes);
  void on_item(const core::WsItem& item);
  void on_message(const core::WsItem& item);
  void handle(v1::ClientMessage& msg);
  void handle_hello(const std::string& id, const v1::Hello& hello);
  void submit(const std::string& id, core::Result<core::Draft> draft,
              std::optional<core::AuditEntry> audit = std::nullopt);

  void refuse_join(const core::Failure& f);
  // A Hello or a command refused: counted, and answered with its code.
  void refuse_hello(const std::string& id, const core::Failure& f);
  void refuse_command(const std::string& id, const core::Failure& f);
  void request_backlog(std::optional<std::uint64_t> after);
  void on_backlog(core::Result<core::Backlog> result);
  void send_welcome(const core::Backlog& b);
  // Feeds the replay, then ends the catch-up, as the queue drains. Only
  // do_write's loop calls it, so it never runs inside itself.
  void pump_catchup();
  // `batch`: the frame may wait for the shard's flush (a busy panel).
  void deliver(const core::EventPtr& ev, bool batch = false);

  void ack(const std::string& id, std::uint64_t seq);
  void ack_error(const std::string& id, const core::Failure& f);
  // `exempt`: the Welcome only (see OutboundQueue::push_uncapped).
  enum class Cap : std::uint8_t { counted, exempt };
  // `later`: written at the shard's next flush rather than at once.
  enum class When : std::uint8_t { now, later };
  void send(core::Frame frame, Cap cap = Cap::counted, When when = When::now);
  // The event as this participant may see it.
  core::Frame frame_of(const core::PanelEvent& ev) const;
  void do_write();
  void on_write(beast::error_code ec);

  // Every frame the client sends, data, control or a fragment, spends from
  // its budget; once it is spent the session closes (1008).
  void spend_frames(std::size_t n);
  void log_abuse(std::string_view what, std::string_view detail);
  // Sends a close frame (nothing after it) and ends the connection once
  // the peer answers, or after the close timeout.
  void close(std::uint16_t code, std::string_view reason);
  // close() without its log line (the peer closed: quiet).
  void begin_close(std::uint16_t code, std::string_view reason);
  // Both close frames are through: shut down sending, read to the end.
  void finish_close();
  void leave_panel();
  void fail(beast::error_code ec, const char* what);
  // Closes the socket: every operation on it ends.
  void shut();

  ClientStream stream_;
  Shard& shard_;
  const core::WireFormat format_;
  const std::uint64_t id_;
  ConnectionGate::Lease lease_;
  const std::string client_;
  core::TokenBucket frames_;
  Phase phase_ = Phase::upgrading;
  bool closing_ = false;
  // A read is waiting for the socket, posted or running.
  bool reading_ = false;
  // do_write's loop is running: a frame queued from within it is its own.
  bool writing_now_ = false;
  bool in_hub_ = false;
  // The close handshake: ours written, the peer's read.
  bool close_written_ = false;
  bool peer_closed_ = false;
  // Keepalive ticks since anything arrived: pinged at 2, dropped at 4.
  std::uint8_t silent_ticks_ = 0;
  // Keepalive ticks over which one message stayed begun and not ended.
  std::uint8_t open_ticks_ = 0;
  // Messages read whole, and their count at the last keepalive tick.
  std::uint32_t messages_ = 0;
  std::uint32_t messages_at_tick_ = 0;
  std::uint32_t inflight_ = 0;
  core::WsReader reader_;
  // Bytes read but not parsed when reading paused; at most one read.
  std::string held_;
  core::OutboundQueue out_;
  // The frames of the write in flight, as the gathered write's buffers;
  // released when the queue drains, like the queue's own ring.
  std::vector<boost::asio::const_buffer> iov_;
  core::EventCursor cursor_;
  // The join deadline until joined, then the close deadline once closing.
  boost::asio::steady_timer timer_;

  std::string panel_id_;
  std::string client_id_;
  std::string hello_id_;
  std::optional<std::uint64_t> resume_after_;
  v1::Participant you_;
  bool guest_ = true;
  v1::QuestionOrder question_order_ = v1::POPULAR;
  // Missed events still to send after a resume, fed to the queue as it
  // drains so a long replay never trips the slow-consumer cap.
  std::vector<core::EventPtr> replay_;
  std::size_t replay_pos_ = 0;
  // Set while catching up: the seq the client will be current at once the
  // Welcome and the replay are written; live events wait in the cursor.
  std::optional<std::uint64_t> catchup_to_;
};

}  // namespace panelwire::net
