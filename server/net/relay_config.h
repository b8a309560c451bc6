#pragma once
// Limits and timeouts of the relay, each with the reason for its default.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "address_range.h"
#include "address_table.h"
#include "chat.h"
#include "panel.h"
#include "panel_catalog.h"
#include "question_board.h"
#include "web_pages.h"

namespace panelwire::net {

struct RelayConfig {
  core::ChatLimits chat;
  core::QuestionLimits questions;
  core::PanelLimits panel;
  // HS256 secret that signs participants' tokens; empty: no tokens are
  // accepted and everyone joins as a guest attendee.
  std::string token_secret;
  // The panel list, for the names each panel reserves; null: the role words only.
  const core::PanelCatalog* catalog = nullptr;
  // Keys participants' public ids (core::participant_id); the same on every
  // node so a participant keeps its id (votes, mutes) wherever it connects.
  std::string id_secret;
  // A 2,000-character chat message is at most 8 KiB of UTF-8; 64 KiB leaves
  // room for every command while bounding what one read can make us buffer.
  std::size_t max_frame_bytes = 64u << 10;
  // Bytes queued for one client before it is cut as a slow consumer. About
  // 2,000 average chat events: several seconds of a busy panel, enough to
  // ride out a stall, small enough that 10k stalled clients cannot exhaust
  // memory (frames are shared, so this bounds references, not copies).
  std::size_t outbound_queue_bytes = 512u << 10;
  // Kernel send buffer per client socket (the kernel doubles it). Left to
  // autotuning, a reader that stalls pins up to 4 MiB of kernel memory
  // (3.8 MiB measured per stalled Welcome); 256 KiB caps that at 512 KiB
  // and still carries some 20 Mbit/s at 100 ms round trip, far past what a
  // panel sends one client. It also makes a stalled client reach the
  // outbound cap sooner. 0: the kernel's autotuning.
  std::size_t socket_send_buffer_bytes = 256u << 10;
  // Nagle off: the relay gathers frames itself (write_frames, batching), so
  // a write is never small by accident, and Nagle would hold a lone chat
  // message until the client's delayed ACK (up to 40 ms on Linux).
  bool tcp_nodelay = true;
  // Frames one write to a client may gather (one sendmsg): Asio hands the
  // kernel at most 64 buffers per call, so more would only mean more calls.
  std::size_t write_frames = 64;
  // Bytes one gathered write may take (unless its first frame alone is
  // larger): the socket's send buffer (socket_send_buffer_bytes, doubled)
  // takes no more at once, and frames not yet in a write can still be
  // dropped when the client is closed.
  std::size_t write_bytes = 256u << 10;
  // A shard delivering more frames a second than this (every panel's events
  // times their members on the shard) has its frames wait for its next
  // flush, up to batch_interval, so that several share one write and one
  // TCP segment: each write on loopback or a LAN costs about as much as the
  // delivery itself (some 8-10 us, mostly the kernel's), so a shard
  // writing one frame at a time tops out near 100,000 a second. A fifth of
  // that leaves room: a shard that falls behind still measures far above
  // it and keeps batching, where a threshold near its unbatched capacity
  // could leave it stuck below, writing frame by frame. Below it every
  // frame goes at once, as a quiet chat wants. (Measured at 50,000 a
  // second, one panel of 1,000 at 50 events: batched, a third less CPU
  // than nchan and p99 31-42 ms; at once, about nchan's CPU and p99 13 ms.
  // Both are far below what anyone notices; the CPU is the operator's.)
  double batch_above_deliveries_per_second = 20'000;
  // The longest a batched frame waits: well under what anyone notices in a
  // chat (about 100 ms), long enough to gather several events of a busy
  // panel. 30 rather than 20: a panel of 1,000 at 200 events a second gets
  // six frames to a write instead of four, 1.3-2.1 us of CPU per delivery
  // instead of 1.8-2.4, and at 50 events 1.5 to a write instead of one
  // (4.9-5.5 us instead of 5.6-8.6), for p99 at the reader 36-45 ms
  // instead of 27-44 (docs/architecture.md, "Why 30 ms"). 0: never batch.
  std::chrono::milliseconds batch_interval{30};
  // Chat messages in a fresh Welcome: one screen of recent context.
  std::size_t snapshot_chat = 50;
  // Commands of one client awaiting the engine before we stop reading its
  // socket: keeps a flooding client from queueing unbounded work.
  std::size_t max_inflight_commands = 32;
  // Time to complete the HTTP upgrade; slow-loris clients are cut after it.
  std::chrono::milliseconds handshake_timeout{10'000};
  // The slowest a page or asset is written: its write gets
  // handshake_timeout plus its size at this rate. A poor mobile link
  // carries some 30 KiB/s, so the page's script (about 100 KiB) gets 6 s
  // more; a reader that stops is still cut.
  std::size_t page_min_bytes_per_second = 16u << 10;
  // Time between the upgrade and Hello.
  std::chrono::milliseconds join_timeout{10'000};
  // Silence after which a client is dropped. The server pings a client
  // silent for a quarter to a half of it, so only a dead peer reaches it; a
  // minute keeps mobile radios asleep between pings.
  std::chrono::milliseconds idle_timeout{60'000};
  // Time a closing client gets to answer the close frame.
  std::chrono::milliseconds close_timeout{5'000};
  // Connections per node and per address, joins per address.
  core::AddressLimits addresses;
  // Peers whose X-Forwarded-For names the client (haproxy in front): their
  // clients are counted by that address, the proxy itself on the node only.
  std::vector<AddressRange> trusted_proxies;
  // Frames one connection may send, whatever they hold (commands, bad
  // frames, pings, refused commands): a person's chat, votes and the SDK's
  // re-sends after a reconnect fit the burst many times over; a loop of
  // garbage is closed 1008 within a second.
  core::RateRule frames{20, 200};
  // Origins (scheme://host[:port]) whose pages may open WebSocket sessions;
  // empty: the relay's own host only. Clients that send no Origin (not
  // browsers) are let through: the check stops other sites' pages from
  // opening sessions with their visitors' browsers.
  std::vector<std::string> allowed_origins;
  // Who may embed the pages in a frame (CSP frame-ancestors): panels are
  // often shown inside the webinar's own page, which the operator names.
  std::string frame_ancestors = "'self'";
  // The browser pages served on the relay's port; none when not built.
  std::shared_ptr<const WebPages> pages = std::make_shared<WebPages>();
};

}  // namespace panelwire::net
