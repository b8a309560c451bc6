#pragma once
// Answers flowing back: an HTTP endpoint for the forum's webhooks
// (Discourse: POST, X-Discourse-Event, X-Discourse-Event-Signature
// "sha256=<hex HMAC-SHA256 of the body with the webhook's secret>"). A
// request whose signature does not match is refused (401) before its body
// is read as JSON; a matching one goes to the handler, which says the
// status to answer.
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

class AnswerReceiver {
 public:
  // (event name, body) -> the HTTP status to answer.
  using Handler = std::function<unsigned(const std::string& event, const std::string& body)>;
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
