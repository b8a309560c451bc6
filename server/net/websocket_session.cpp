#include "websocket_session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "ack.h"
#include "audit.h"
#include "command_drafts.h"
#include "join_request.h"
#include "message_route.h"
#include "welcome.h"
#include "ws_frame.h"

namespace panelwire::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

std::string random_client_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

// The same bytes for every session's keepalive ping.
const core::Frame& keepalive_ping() {
  static const core::Frame frame = std::make_shared<const std::string>(core::ping_frame());
  return frame;
}

bool is_quiet_end(beast::error_code ec) {
  return ec == websocket::error::closed || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

WebsocketSession::WebsocketSession(ClientStream&& stream, Shard& shard, core::WireFormat format,
                                   std::uint64_t id, ConnectionGate::Lease lease,
                                   std::string client)
    : stream_(std::move(stream)),
      shard_(shard),
      format_(format),
      id_(id),
      lease_(std::move(lease)),
      client_(std::move(client)),
      frames_(shard.config().frames),
      reader_(shard.config().max_frame_bytes),
      out_(shard.config().outbound_queue_bytes),
      cursor_(shard.config().outbound_queue_bytes),
      timer_(stream_.get_executor()) {
  shard_.add(*this);
}

WebsocketSession::~WebsocketSession() {
  leave_panel();
  Drainable::unlink();
  shard_.removed();
}

void WebsocketSession::run(http::request<http::empty_body> req, std::string_view subprotocol) {
  // Beast writes the 101 reply (it reads nothing); the frames are ours.
  stream_.visit([&](auto& s) {
    auto ws = std::make_shared<websocket::stream<std::remove_reference_t<decltype(s)>&>>(s);
    ws->set_option(websocket::stream_base::timeout{shard_.config().handshake_timeout,
                                                   websocket::stream_base::none(), false});
    ws->set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
      res.set(http::field::server, "panelwire");
      if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
    }));
    ws->async_accept(
        req, [self = shared_from_this(), ws](beast::error_code ec) { self->on_accept(ec); });
  });
}

void WebsocketSession::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "accept");
  if (closing_) return;
  // Upgraded from here on: a close is a close frame, even one at once.
  phase_ = Phase::awaiting_hello;
  // Reads try the socket and wait only when it has nothing (read_ready).
  stream_.start(ec);
  if (ec) return fail(ec, "accept");
  shard_.watch(*this);
  if (shard_.draining()) return close(websocket::close_code::going_away, "server shutting down");
  // One deadline for the whole join, however many Hellos it takes: a join
  // still in flight or refused at the deadline ends the connection too.
  timer_.expires_after(shard_.config().join_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && !self->closing_ && self->phase_ != Phase::joined)
      self->close(websocket::close_code::policy_error, "not joined within the join timeout");
  });
  do_read();
}

bool WebsocketSession::may_read() const {
  if (phase_ == Phase::upgrading || !stream_.is_open()) return false;
  // A closing session reads on for the peer's close frame; under TLS not
  // past it, as the TLS shutdown reads what follows (finish_close).
  if (closing_) return !(peer_closed_ && stream_.tls());
  return phase_ != Phase::joining && inflight_ < shard_.config().max_inflight_commands;
}

void WebsocketSession::do_read() {
  if (reading_ || !may_read()) return;
  reading_ = true;
  // Posted, never run here: do_read is called from the middle of a parse
  // (an ack that ends a pause), and the shard's read buffer is in use.
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->read_ready(); });
}

void WebsocketSession::read_ready() {
  if (!held_.empty()) {
    held_.erase(0, parse(held_));
    if (held_.empty()) std::string().swap(held_);
  }
  // A few reads a turn, then the other sessions of the shard get theirs.
  for (int reads = 0; reads < 4; ++reads) {
    if (!held_.empty() || !may_read()) {
      reading_ = false;
      return;
    }
    auto chunk = shard_.read_chunk();
    beast::error_code ec;
    const auto n = stream_.read_now(chunk, ec);
    if (ec == asio::error::would_block) {
      // Nothing to read. The socket is waited on only now, when the
      // kernel's next arrival is sure to wake it.
      stream_.async_wait_readable([self = shared_from_this()](beast::error_code ec) {
        if (ec) {
          self->reading_ = false;
          return self->fail(ec, "read");
        }
        self->read_ready();
      });
      return;
    }
    if (ec) {
      reading_ = false;
      return fail(ec, "read");
    }
    silent_ticks_ = 0;
    const auto taken = parse(chunk.first(n));
    if (taken < n && stream_.is_open()) held_.assign(chunk.data() + taken, n - taken);
  }
  reading_ = false;
  do_read();
}

std::size_t WebsocketSession::parse(std::span<char> bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size() && may_read()) {
    auto step = reader_.read(bytes.subspan(taken));
    taken += step.used;
    // Every frame spends from the budget, each fragment of a message too.
    if (!closing_) spend_frames(step.frames);
    on_item(step.item);
    // Past a broken rule nothing can be parsed: the rest is dropped.
    if (step.item.kind == core::WsItem::Kind::fail) taken = bytes.size();
  }
  reader_.release();
  return taken;
}

void WebsocketSession::on_item(const core::WsItem& item) {
  using Kind = core::WsItem::Kind;
  switch (item.kind) {
    case Kind::none:
      return;
    case Kind::fail:
      // Nothing more can be parsed, the peer's close frame included: the
      // connection ends once ours is written. (The reader repeats its
      // failure for every later read: told once.)
      if (std::exchange(peer_closed_, true)) return;
      // The peer broke the protocol: 1002, 1007 or 1009 with the reason.
      spdlog::debug("event=protocol_error session={} code={} reason=\"{}\"", id_, item.code,
                    item.payload);
      close(item.code, item.payload);
      return finish_close();
    case Kind::close:
      if (std::exchange(peer_closed_, true)) return;
      if (!closing_) {
        spdlog::debug(
            "event=disconnect session={} panel={} op=read error=\"closed by the peer ({})\"", id_,
            panel_id_, item.code);
        // Ours echoes its code (or carries none, as its did).
        begin_close(item.code, "");
      }
      return finish_close();
    case Kind::ping:
      if (!closing_) send(std::make_shared<const std::string>(core::pong_frame(item.payload)));
      return;
    case Kind::pong:
      return;
    case Kind::text:
    case Kind::binary:
      ++messages_;
      if (!closing_) on_message(item);
      return;
  }
}

void WebsocketSession::on_message(const core::WsItem& item) {
  if ((item.kind == core::WsItem::Kind::text) != (format_ == core::WireFormat::json)) {
    return close(websocket::close_code::unknown_data,
                 format_ == core::WireFormat::json ? "binary frame on the JSON subprotocol"
                                                   : "text frame on the protobuf subprotocol");
  }
  auto msg = core::decode_client(item.payload, format_);
  if (msg) {
    handle(*msg);
  } else {
    log_abuse("bad_frame", "MALFORMED");
    refuse_command("", msg.error());
  }
}

void WebsocketSession::handle(v1::ClientMessage& msg) {
  // Nothing is read before the upgrade, so `upgrading` never gets here; it
  // would take neither a Hello nor a command, as `joining`.
  const auto state = phase_ == Phase::awaiting_hello ? core::JoinState::awaiting_hello
                     : phase_ == Phase::joined       ? core::JoinState::joined
                                                     : core::JoinState::joining;
  auto route = core::route_message(msg, state);
  if (!route) return refuse_command(route.error().ack_id, route.error().failure);
  const auto& id = msg.id();
  switch (*route) {
    case core::Route::hello:
      return handle_hello(id, msg.hello());
    case core::Route::ping:
      return ack(id, 0);
    case core::Route::command: {
      const auto& cfg = shard_.config();
      return submit(id,
                    core::draft_command(msg, you_, core::CommandLimits{cfg.chat, cfg.questions}),
                    core::audit_of(msg, you_));
    }
  }
}

void WebsocketSession::handle_hello(const std::string& id, const v1::Hello& hello) {
  // A malformed Hello is refused before it spends one of the address's joins.
  if (auto ids = core::check_hello_ids(hello); !ids) return refuse_hello(id, ids.error());
  // Each join may mint a guest identity: an address gets them at a
  // person's pace, not a script's.
  if (auto wait = shard_.gate().take_join(client_, shard_.clock().now_ms())) {
    log_abuse("join_rate", client_);
    return refuse_hello(id,
                        core::Failure{v1::RATE_LIMITED, "too many joins from this address", wait});
  }
  const auto& cfg = shard_.config();
  auto join = core::check_hello(
      hello, {.token_secret = cfg.token_secret,
              .id_secret = cfg.id_secret,
              .now_s = shard_.clock().now_ms() / 1000,
              .reserved = cfg.catalog ? cfg.catalog->reserved_names(hello.panel_id())
                                      : core::ReservedNames::fixed(),
              .new_client_id = random_client_id});
  if (!join) {
    // Only a refused token is worth a line; a refused name is the guest's typo.
    if (join.error().code == v1::UNAUTHENTICATED)
      shard_.log_abuse(spdlog::level::info, "event=join_refused session={} panel={} reason=\"{}\"",
                       id_, hello.panel_id(), join.error().message);
    return refuse_hello(id, join.error());
  }
  panel_id_ = std::move(join->panel_id);
  client_id_ = std::move(join->client_id);
  you_ = std::move(join->you);
  guest_ = join->guest;
  question_order_ = join->question_order;
  resume_after_ = join->resume_after;
  hello_id_ = id;

  phase_ = Phase::joining;
  cursor_.begin_catchup();
  in_hub_ = true;
  shard_.hub().join(panel_id_, *this);
}

void WebsocketSession::on_subscribed(const core::Result<void>& result) {
  if (closing_ || phase_ != Phase::joining) return;
  if (!result) {
    in_hub_ = false;  // the hub drops its members when a subscription fails
    return refuse_join(result.error());
  }
  request_backlog(resume_after_);
}

void WebsocketSession::refuse_join(const core::Failure& f) {
  leave_panel();
  phase_ = Phase::awaiting_hello;
  refuse_hello(hello_id_, f);
  do_read();
}

void WebsocketSession::refuse_hello(const std::string& id, const core::Failure& f) {
  ++shard_.stats().joins[f.code];
  ack_error(id, f);
}

void WebsocketSession::refuse_command(const std::string& id, const core::Failure& f) {
  ++shard_.stats().commands[f.code];
  ack_error(id, f);
}

void WebsocketSession::request_backlog(std::optional<std::uint64_t> after) {
  shard_.engine().backlog(panel_id_, after, shard_.config().snapshot_chat, you_.id(),
                          stream_.get_executor(),
                          [self = shared_from_this()](core::Result<core::Backlog> r) {
                            self->on_backlog(std::move(r));
                          });
}

void WebsocketSession::on_backlog(core::Result<core::Backlog> result) {
  if (closing_) return;
  const bool joining = phase_ == Phase::joining;
  if (!result) {
    if (!joining) return close(websocket::close_code::try_again_later, "cannot resume the panel");
    return refuse_join(result.error());
  }
  auto& b = *result;
  if (joining && guest_ && !b.info.guests_allowed())
    return refuse_join(core::fail(v1::UNAUTHENTICATED, "this panel needs a token to join"));
  if (!joining && b.resume != v1::RESUMED) {
    // A gap older than the history in mid-stream: only a fresh Welcome can
    // tell the client, so make it reconnect.
    return close(websocket::close_code::try_again_later, "resume point lost; reconnect");
  }
  if (joining) {
    send_welcome(b);
    ack(hello_id_, 0);
    ++shard_.stats().joins[0];
    // Either send may have closed the session (a queue over its cap): the
    // phase stays as it is and nothing more is sent.
    if (closing_) return;
    phase_ = Phase::joined;
    timer_.cancel();
    do_read();
  }
  // Set only now: a write that ends feeds the catch-up, and the Welcome and
  // its ack come before any of it.
  // Nothing missed, or a snapshot: the client is current as of head.
  catchup_to_ = b.head;
  if (b.resume == v1::RESUMED && !b.missed.empty()) {
    catchup_to_ = b.missed.back()->seq();
    replay_ = std::move(b.missed);
    replay_pos_ = 0;
  }
  do_write();  // feeds the catch-up (pump_catchup)
}

void WebsocketSession::send_welcome(const core::Backlog& b) {
  const auto& cfg = shard_.config();
  core::WelcomeContext ctx{panel_id_, you_, question_order_,
                           core::welcome_limits(cfg.chat, cfg.questions, cfg.max_frame_bytes)};
  v1::ServerMessage msg;
  *msg.mutable_welcome() = core::make_welcome(ctx, b);
  // A snapshot may exceed the cap that cuts slow consumers; it is paced
  // instead: the catch-up waits until it is written.
  send(core::encode_frame(msg, format_), Cap::exempt);
}

void WebsocketSession::pump_catchup() {
  if (!catchup_to_) return;
  const auto budget = shard_.config().outbound_queue_bytes / 2;
  while (replay_pos_ < replay_.size() && out_.bytes() < budget && !closing_)
    send(frame_of(*replay_[replay_pos_++]));
  if (closing_ || replay_pos_ < replay_.size() || out_.bytes() >= budget) return;
  replay_.clear();
  replay_.shrink_to_fit();
  replay_pos_ = 0;
  auto seq = *std::exchange(catchup_to_, std::nullopt);
  for (const auto& ev : cursor_.caught_up(seq)) deliver(ev);
}

void WebsocketSession::on_panel_event(const core::EventPtr& ev, bool batch) {
  if (!closing_ && (phase_ == Phase::joining || phase_ == Phase::joined)) deliver(ev, batch);
}

void WebsocketSession::deliver(const core::EventPtr& ev, bool batch) {
  switch (cursor_.on_live(ev)) {
    case core::EventCursor::Verdict::deliver:
      return send(frame_of(*ev), Cap::counted, batch ? When::later : When::now);
    case core::EventCursor::Verdict::skip:
    case core::EventCursor::Verdict::held:
      return;
    case core::EventCursor::Verdict::gap:
      spdlog::warn("event=gap session={} panel={} last={} got={}", id_, panel_id_, cursor_.last(),
                   ev->seq());
      cursor_.begin_catchup();
      return request_backlog(cursor_.last());
    case core::EventCursor::Verdict::overflow:
      return close(v1::SLOW_CONSUMER, "slow consumer: too many events held while catching up");
  }
}

core::Frame WebsocketSession::frame_of(const core::PanelEvent& ev) const {
  return ev.frame(format_, core::view_for(you_, ev.event()));
}

void WebsocketSession::submit(const std::string& id, core::Result<core::Draft> draft,
                              std::optional<core::AuditEntry> audit) {
  if (!draft) return refuse_command(id, draft.error());
  draft->dedup_key = core::command_key(client_id_, id);
  ++inflight_;
  shard_.engine().append(
      panel_id_, std::move(*draft), stream_.get_executor(),
      [self = shared_from_this(), id, audit = std::move(audit),
       sent = std::chrono::steady_clock::now()](core::Result<core::Appended> r) {
        --self->inflight_;
        auto& stats = self->shard_.stats();
        stats.append_latency.observe(std::chrono::duration_cast<std::chrono::microseconds>(
                                         std::chrono::steady_clock::now() - sent)
                                         .count());
        if (r) {
          ++stats.commands[0];
          if (r->event) ++stats.events_appended;
          // The audit trail: who moderated what, by the event's seq. A
          // retry is logged again, marked: its first answer may have been
          // lost before its line was written (Redis cut after the append).
          if (audit && (r->event || r->duplicate))
            spdlog::info("event=moderation panel={} seq={} actor={} role={} action={} target={}{}",
                         self->panel_id_, r->seq, self->you_.id(), v1::Role_Name(self->you_.role()),
                         audit->action, audit->target.empty() ? "panel" : audit->target,
                         r->duplicate ? " retry=1" : "");
          self->ack(id, r->seq);
        } else {
          self->refuse_command(id, r.error());
        }
        self->do_read();
      });
}

void WebsocketSession::ack(const std::string& id, std::uint64_t seq) {
  send(core::encode_frame(core::make_ack(id, seq), format_));
}

void WebsocketSession::ack_error(const std::string& id, const core::Failure& f) {
  send(core::encode_frame(core::make_ack_error(id, f), format_));
}

void WebsocketSession::send(core::Frame frame, Cap cap, When when) {
  if (closing_ || phase_ == Phase::upgrading) return;
  if (cap == Cap::exempt)
    out_.push_uncapped(std::move(frame));
  else if (!out_.push(std::move(frame)))
    return close(v1::SLOW_CONSUMER, "slow consumer: outbound queue over its byte cap");
  if (when == When::now) return do_write();
  // A write in flight takes what is queued when it ends, batched or not.
  if (out_.writing() == 0) shard_.flush_later(*this);
}

void WebsocketSession::flush() {
  if (!closing_) do_write();
}

void WebsocketSession::do_write() {
  // One write at a time: one is open (its end writes what is queued), or
  // this loop is running (it takes what is queued from within it).
  if (out_.writing() > 0 || writing_now_) return;
  writing_now_ = true;
  const auto& cfg = shard_.config();
  for (;;) {
    // The catch-up is fed here only, as the queue drains: its frames (and
    // the live events it lets through at its end) are queued by send(),
    // whose do_write returns at once, and written by this loop.
    if (!closing_) pump_catchup();
    if (out_.empty() || !stream_.is_open()) break;
    iov_.clear();
    out_.begin_write(cfg.write_frames, cfg.write_bytes,
                     [this](const std::string& f) { iov_.emplace_back(f.data(), f.size()); });
    // Whole WebSocket frames already: data frames built once per event for
    // every receiver, control frames here. Straight to the socket first: a
    // client that keeps up takes it all at once, with no operation to set
    // up and complete later.
    beast::error_code ec;
    auto n = stream_.write_now(iov_, ec);
    if (ec == asio::error::would_block) {
      n = 0;
    } else if (ec) {
      writing_now_ = false;
      return fail(ec, "write");
    }
    if (n < asio::buffer_size(iov_)) {
      // The socket's buffer is full: the rest goes once it has room.
      auto first = iov_.begin();
      for (; n >= first->size(); ++first) n -= first->size();
      *first += n;
      iov_.erase(iov_.begin(), first);
      stream_.async_write(iov_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->on_write(ec);
      });
      writing_now_ = false;
      return;
    }
    out_.end_write();
  }
  writing_now_ = false;
  if (iov_.capacity() > 8) std::vector<asio::const_buffer>().swap(iov_);
  // Once closing, the close frame is the last frame queued: now written.
  if (closing_ && out_.empty() && !std::exchange(close_written_, true)) finish_close();
}

void WebsocketSession::on_write(beast::error_code ec) {
  if (ec) return fail(ec, "write");
  out_.end_write();
  do_write();
}

void WebsocketSession::count(ShardStats& into) const {
  if (phase_ == Phase::joined && !closing_)
    ++into.joined[you_.role()][static_cast<std::size_t>(format_)];
  else
    ++into.unjoined;
  into.outbound_bytes += out_.bytes();
}

void WebsocketSession::close(std::uint16_t code, std::string_view reason) {
  if (closing_) return;
  ++shard_.stats().closes[ShardStats::close_slot(code)];
  // Sessions that joined are paced per address, so a line each is fine;
  // connections that never did may come and go as fast as a script likes.
  spdlog::log(panel_id_.empty() ? spdlog::level::debug : spdlog::level::info,
              "event=close session={} panel={} code={} reason=\"{}\"", id_, panel_id_, code,
              reason);
  begin_close(code, reason);
}

void WebsocketSession::begin_close(std::uint16_t code, std::string_view reason) {
  const bool upgraded = phase_ != Phase::upgrading;
  closing_ = true;
  // The session stays a panel member until it is destroyed (events to a
  // closing session are dropped): leaving here could happen in the middle
  // of the hub's fan-out loop.
  out_.clear_pending();
  replay_.clear();
  catchup_to_.reset();
  if (!upgraded) return shut();
  // A peer that never answers (or whose socket is full) is cut after the
  // close timeout.
  timer_.expires_after(shard_.config().close_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->shut();
  });
  // Nothing is queued after it (send() refuses once closing).
  out_.push_uncapped(std::make_shared<const std::string>(core::close_frame(code, reason)));
  do_write();
  // Reading goes on (or resumes, if paused) for the peer's close frame.
  do_read();
}

void WebsocketSession::finish_close() {
  if (!close_written_ || !peer_closed_ || !stream_.is_open()) return;
  // TLS ends with a close_notify each way, then the socket closes (no read
  // is pending: may_read() stopped at the peer's close frame).
  if (stream_.tls())
    return stream_.async_tls_shutdown(
        [self = shared_from_this()](beast::error_code) { self->shut(); });
  // The server ends the TCP connection first (RFC 6455 7.1.1): its FIN now,
  // then reading to the peer's (read_ready ends in fail() on it).
  stream_.shutdown_send();
}

void WebsocketSession::spend_frames(std::size_t n) {
  const auto now = shard_.clock().now_ms();
  for (; n > 0; --n)
    if (!frames_.take(now)) break;
  if (n == 0) return;
  log_abuse("frame_budget", "frames");
  close(websocket::close_code::policy_error, "too many frames");
}

void WebsocketSession::log_abuse(std::string_view what, std::string_view detail) {
  shard_.log_abuse(spdlog::level::info, "event=abuse kind={} session={} client={} detail=\"{}\"",
                   what, id_, client_, detail);
}

void WebsocketSession::drain() {
  close(websocket::close_code::going_away, "server shutting down");
}

void WebsocketSession::abort() {
  closing_ = true;
  shut();
}

void WebsocketSession::leave_panel() {
  if (!in_hub_) return;
  in_hub_ = false;
  shard_.hub().leave(panel_id_, *this);
}

void WebsocketSession::keepalive_tick() {
  // Closing: the close timeout is running. Not reading (a join or commands
  // in flight, each with its own deadline): the client's pongs wait unread.
  if (closing_ || !may_read()) return;
  // One message begun and not ended for four ticks: a client that keeps
  // memory taken by dribbling it (its pings answered between fragments, or
  // a byte at a time inside a frame). Messages that end, however many and
  // however long, start the count over.
  if (reader_.between_messages() || messages_ != messages_at_tick_) {
    open_ticks_ = 0;
  } else if (++open_ticks_ == 4) {
    log_abuse("slow_message", "a message left open");
    return close(websocket::close_code::policy_error,
                 "a message not completed within the idle timeout");
  }
  messages_at_tick_ = messages_;
  if (silent_ticks_ < 4) ++silent_ticks_;
  // Silent for a quarter to a half of the idle timeout: a ping, which any
  // live client answers; nothing in the half after it: the peer is gone.
  if (silent_ticks_ == 2) return send(keepalive_ping());
  if (silent_ticks_ == 4) {
    ++shard_.stats().keepalive_drops;
    return fail(beast::error::timeout, "keepalive");
  }
}

void WebsocketSession::fail(beast::error_code ec, const char* what) {
  // The peer went away (or stopped answering); there is nobody to send a
  // close frame to.
  if (!closing_) {
    // As for close(): a line each only for sessions that joined.
    const bool quiet = is_quiet_end(ec) || panel_id_.empty();
    spdlog::log(quiet ? spdlog::level::debug : spdlog::level::info,
                "event=disconnect session={} panel={} op={} error=\"{}\"", id_, panel_id_, what,
                ec.message());
  }
  closing_ = true;
  shut();
}

void WebsocketSession::shut() {
  timer_.cancel();
  stream_.close();
}

}  // namespace panelwire::net
