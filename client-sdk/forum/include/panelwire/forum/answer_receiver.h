#pragma once
// Answers flowing back: an HTTP endpoint for the forum's webhooks. Each
// POST is signed with the one shared secret, in one of two ways:
//   Discourse's: X-Discourse-Event-Signature "sha256=<hex HMAC-SHA256 of
//     the body>", with X-Discourse-Event naming the event;
//   panelwire's (a webhook sink's receiver calling back): X-Panelwire-
//     Timestamp and X-Panelwire-Signature, as the webhook sink signs
//     (verify_webhook: within five minutes, so a captured request cannot
//     be replayed later).
// A request signed neither way is refused (401) before its body is read
// as JSON; a signed one goes to the handler, which says what to answer.
//
// One request at a time on its own thread, each on a connection of its own
// (Connection: close), its body at most 1 MiB and its bytes due within
// 10 s: the forum sends a few requests a minute, and a stalled sender holds
// the endpoint no longer than that. Bind it to an address only the forum
// reaches.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace panelwire::forum {

// A request whose signature matched.
struct AnswerRequest {
  enum class From { discourse, callback };
  From from = From::discourse;
  std::string event;  // X-Discourse-Event; empty for a callback
  std::string body;
};

// The HTTP status to answer, and for a failure the line the sender is told
// (as {"error": "..."}).
struct AnswerReply {
  unsigned status = 200;
  std::string error;
};

class AnswerReceiver {
 public:
  using Handler = std::function<AnswerReply(const AnswerRequest&)>;
  // Listens on `host:port` (port 0: any free one) at once; throws when it
  // cannot.
  AnswerReceiver(const std::string& host, unsigned short port, std::string secret, Handler handler);
  ~AnswerReceiver();
  unsigned short port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
  std::thread thread_;
};

// "sha256=<hex>" of `body` under `secret`, compared in constant time.
bool discourse_signature_matches(const std::string& secret, const std::string& body,
                                 const std::string& header);

}  // namespace panelwire::forum
