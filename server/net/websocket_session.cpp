#include "websocket_session.h"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "ack.h"
#include "command_drafts.h"
#include "join_request.h"
#include "message_route.h"
#include "welcome.h"

namespace panelwire::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

std::string random_client_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

bool is_quiet_end(beast::error_code ec) {
  return ec == websocket::error::closed || ec == asio::error::eof ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

}  // namespace

WebsocketSession::WebsocketSession(Socket&& socket, Shard& shard, core::WireFormat format,
                                   std::uint64_t id, ConnectionGate::Lease lease,
                                   std::string client)
    : ws_(std::move(socket)),
      shard_(shard),
      format_(format),
      id_(id),
      lease_(std::move(lease)),
      client_(std::move(client)),
      frames_(shard.config().frames),
      out_(shard.config().outbound_queue_bytes),
      cursor_(shard.config().outbound_queue_bytes),
      timer_(ws_.get_executor()) {
  shard_.add(*this);
}

WebsocketSession::~WebsocketSession() {
  leave_panel();
  Drainable::unlink();
  shard_.removed();
}

void WebsocketSession::run(http::request<http::empty_body> req, std::string_view subprotocol) {
  const auto& cfg = shard_.config();
  ws_.set_option(websocket::stream_base::timeout{cfg.handshake_timeout, cfg.idle_timeout, true});
  ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
    res.set(http::field::server, "panelwire");
    if (!subprotocol.empty()) res.set(http::field::sec_websocket_protocol, subprotocol);
  }));
  ws_.read_message_max(cfg.max_frame_bytes);
  // Pings and pongs are answered inside Beast's read; they spend from the
  // same budget. No stream operation may start from here, so the close is
  // posted.
  ws_.control_callback([this](websocket::frame_type, std::string_view) {
    if (closing_ || frames_.take(shard_.clock().now_ms())) return;
    asio::post(ws_.get_executor(), [self = shared_from_this()] {
      self->log_abuse("frame_budget", "control frames");
      self->close(websocket::close_code::policy_error, "too many frames");
    });
  });
  ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void WebsocketSession::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "accept");
  // Upgraded from here on: a close is a close frame, even one at once.
  phase_ = Phase::awaiting_hello;
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

void WebsocketSession::do_read() {
  if (reading_ || closing_ || phase_ == Phase::joining ||
      inflight_ >= shard_.config().max_inflight_commands)
    return;
  reading_ = true;
  ws_.async_read(
      in_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void WebsocketSession::on_read(beast::error_code ec) {
  reading_ = false;
  if (ec) return fail(ec, "read");
  if (closing_) return;
  if (!spend_frame()) return;
  if (ws_.got_text() != (format_ == core::WireFormat::json)) {
    return close(websocket::close_code::unknown_data,
                 format_ == core::WireFormat::json ? "binary frame on the JSON subprotocol"
                                                   : "text frame on the protobuf subprotocol");
  }
  auto data = in_.cdata();
  auto msg = core::decode_client(
      std::string_view(static_cast<const char*>(data.data()), data.size()), format_);
  // Free the buffer between messages (see ReadBuffer: an idle session
  // holds next to none).
  in_.clear();
  if (msg) {
    handle(*msg);
  } else {
    log_abuse("bad_frame", "MALFORMED");
    ack_error("", msg.error());
  }
  do_read();
}

void WebsocketSession::handle(v1::ClientMessage& msg) {
  // Nothing is read before the upgrade, so `upgrading` never gets here; it
  // would take neither a Hello nor a command, as `joining`.
  const auto state = phase_ == Phase::awaiting_hello ? core::JoinState::awaiting_hello
                     : phase_ == Phase::joined       ? core::JoinState::joined
                                                     : core::JoinState::joining;
  auto route = core::route_message(msg, state);
  if (!route) return ack_error(route.error().ack_id, route.error().failure);
  const auto& id = msg.id();
  switch (*route) {
    case core::Route::hello:
      return handle_hello(id, msg.hello());
    case core::Route::ping:
      return ack(id, 0);
    case core::Route::command: {
      const auto& cfg = shard_.config();
      return submit(id,
                    core::draft_command(msg, you_, core::CommandLimits{cfg.chat, cfg.questions}));
    }
  }
}

void WebsocketSession::handle_hello(const std::string& id, const v1::Hello& hello) {
  // A malformed Hello is refused before it spends one of the address's joins.
  if (auto ids = core::check_hello_ids(hello); !ids) return ack_error(id, ids.error());
  // Each join may mint a guest identity: an address gets them at a
  // person's pace, not a script's.
  if (auto wait = shard_.gate().take_join(client_, shard_.clock().now_ms())) {
    log_abuse("join_rate", client_);
    return ack_error(id, core::Failure{v1::RATE_LIMITED, "too many joins from this address", wait});
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
    return ack_error(id, join.error());
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
  ack_error(hello_id_, f);
  do_read();
}

void WebsocketSession::request_backlog(std::optional<std::uint64_t> after) {
  shard_.engine().backlog(panel_id_, after, shard_.config().snapshot_chat, you_.id(),
                          ws_.get_executor(),
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
  // Nothing missed, or a snapshot: the client is current as of head.
  catchup_to_ = b.head;
  if (b.resume == v1::RESUMED && !b.missed.empty()) {
    catchup_to_ = b.missed.back()->seq();
    replay_ = std::move(b.missed);
    replay_pos_ = 0;
  }
  if (joining) {
    send_welcome(b);
    ack(hello_id_, 0);
    // Either send may have closed the session (a queue over its cap): the
    // phase stays as it is and nothing more is sent.
    if (closing_) return;
    phase_ = Phase::joined;
    timer_.cancel();
    do_read();
  }
  pump_catchup();
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

void WebsocketSession::submit(const std::string& id, core::Result<core::Draft> draft) {
  if (!draft) return ack_error(id, draft.error());
  draft->dedup_key = core::command_key(client_id_, id);
  ++inflight_;
  shard_.engine().append(panel_id_, std::move(*draft), ws_.get_executor(),
                         [self = shared_from_this(), id](core::Result<core::Appended> r) {
                           --self->inflight_;
                           if (r)
                             self->ack(id, r->seq);
                           else
                             self->ack_error(id, r.error());
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
  // A write is open (its end writes what is queued), or nothing is queued.
  // iov_ holds the open write's buffers: untouched until it ends.
  if (out_.writing() > 0 || out_.empty()) return;
  const auto& cfg = shard_.config();
  iov_.clear();
  out_.begin_write(cfg.write_frames, cfg.write_bytes,
                   [this](const std::string& f) { iov_.emplace_back(f.data(), f.size()); });
  // The frames are whole WebSocket frames already (built once per event
  // for every receiver); the gate keeps Beast's control frames out of them.
  ws_.next_layer().async_write_frames(
      iov_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
}

void WebsocketSession::on_write(beast::error_code ec) {
  if (ec) return fail(ec, "write");
  out_.end_write();
  if (closing_) return;
  pump_catchup();
  if (!out_.empty()) return do_write();
  if (iov_.capacity() > 8) std::vector<asio::const_buffer>().swap(iov_);
}

void WebsocketSession::close(std::uint16_t code, std::string_view reason) {
  if (closing_) return;
  const bool upgraded = phase_ != Phase::upgrading;
  closing_ = true;
  // Sessions that joined are paced per address, so a line each is fine;
  // connections that never did may come and go as fast as a script likes.
  spdlog::log(panel_id_.empty() ? spdlog::level::debug : spdlog::level::info,
              "event=close session={} panel={} code={} reason=\"{}\"", id_, panel_id_, code,
              reason);
  // The session stays a panel member until it is destroyed (events to a
  // closing session are dropped): leaving here could happen in the middle
  // of the hub's fan-out loop.
  out_.clear_pending();
  replay_.clear();
  catchup_to_.reset();
  // A peer that never answers (or whose socket is full) is cut after the
  // close timeout.
  timer_.expires_after(shard_.config().close_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).close(ignored);
  });
  if (!upgraded) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).close(ignored);
    return;
  }
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason),
                  [self = shared_from_this()](beast::error_code ec) {
                    self->timer_.cancel();
                    if (ec && !is_quiet_end(ec))
                      spdlog::debug("event=close_failed session={} error=\"{}\"", self->id_,
                                    ec.message());
                  });
}

bool WebsocketSession::spend_frame() {
  if (frames_.take(shard_.clock().now_ms())) return true;
  log_abuse("frame_budget", "data frames");
  close(websocket::close_code::policy_error, "too many frames");
  return false;
}

void WebsocketSession::log_abuse(std::string_view what, std::string_view detail) {
  shard_.log_abuse(spdlog::level::info, "event=abuse kind={} session={} client={} detail=\"{}\"",
                   what, id_, client_, detail);
}

void WebsocketSession::drain() {
  close(websocket::close_code::going_away, "server shutting down");
}

void WebsocketSession::leave_panel() {
  if (!in_hub_) return;
  in_hub_ = false;
  shard_.hub().leave(panel_id_, *this);
}

void WebsocketSession::fail(beast::error_code ec, const char* what) {
  // The peer went away or broke the protocol; Beast has already sent the
  // matching close code (1002, 1007, 1009) where there was one to send.
  timer_.cancel();
  if (!closing_) {
    // As for close(): a line each only for sessions that joined.
    const bool quiet = is_quiet_end(ec) || panel_id_.empty();
    spdlog::log(quiet ? spdlog::level::debug : spdlog::level::info,
                "event=disconnect session={} panel={} op={} error=\"{}\"", id_, panel_id_, what,
                ec.message());
  }
  closing_ = true;
}

}  // namespace panelwire::net
