#include "panelwire/forum/answer_receiver.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <map>

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "panelwire/forum/http_post.h"
#include "panelwire/forum/webhook_sink.h"

namespace panelwire::forum {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// A forum post's webhook is a few KiB (Discourse sends the post, cooked).
constexpr std::size_t kMaxBody = 1u << 20;
// A sender's bytes are due within this; a stalled one is dropped.
constexpr int kReadSeconds = 10;
// How far a callback's timestamp may be from our clock (verify_webhook's
// default), and so how long its signature is remembered.
constexpr std::int64_t kCallbackTolerance = 300;
// Callbacks remembered at once: far past what a forum sends in five
// minutes. Overflow rule: when full, a new callback is answered 503 (sent
// again later) until the oldest are past the tolerance.
constexpr std::size_t kMaxRemembered = 4096;

}  // namespace

bool discourse_signature_matches(const std::string& secret, const std::string& body,
                                 const std::string& header) {
  return signature_equals(header, "sha256=" + hmac_sha256_hex(secret, body));
}

struct AnswerReceiver::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping = false;
  std::string secret;
  Handler handler;
  // Where to connect to wake accept(): read once, before the thread starts.
  tcp::endpoint self;
  // Signatures of the callbacks taken in the last five minutes, with their
  // timestamps: one sent again is not applied again (a captured callback
  // replayed would put back what a later one changed).
  std::map<std::string, std::int64_t> taken;

  AnswerReply answer(const http::request<http::string_body>& req) {
    if (req.method() != http::verb::post) return {405, "POST only"};
    if (req.find("X-Panelwire-Signature") != req.end()) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      if (!verify_webhook(secret, req["X-Panelwire-Timestamp"], req["X-Panelwire-Signature"],
                          req.body(), now, kCallbackTolerance)) {
        spdlog::warn("event=answer_webhook_refused reason=\"callback signature or timestamp\"");
        return {401, "the signature does not match, or its timestamp is not within five minutes"};
      }
      // Remembered as long as its own timestamp lets it in (verified: digits).
      const auto sent = std::stoll(std::string(req["X-Panelwire-Timestamp"]));
      std::erase_if(taken, [&](const auto& t) { return t.second < now - kCallbackTolerance; });
      const std::string signature(req["X-Panelwire-Signature"]);
      if (taken.contains(signature)) return {};  // taken already: nothing to do again
      if (taken.size() >= kMaxRemembered) return {503, "too many callbacks; send it again later"};
      auto reply = call({AnswerRequest::From::callback, {}, req.body()});
      if (reply.status < 300) taken[signature] = sent;
      return reply;
    }
    if (!discourse_signature_matches(secret, req.body(),
                                     std::string(req["X-Discourse-Event-Signature"]))) {
      spdlog::warn("event=answer_webhook_refused reason=\"signature\"");
      return {401, "the signature does not match"};
    }
    return call(
        {AnswerRequest::From::discourse, std::string(req["X-Discourse-Event"]), req.body()});
  }

  AnswerReply call(const AnswerRequest& r) {
    try {
      return handler(r);
    } catch (const std::exception& e) {
      spdlog::error("event=answer_webhook_failed error=\"{}\"", printable_excerpt(e.what()));
      return {500, "the importer failed; send it again"};
    }
  }

  void serve(tcp::socket socket) {
    timeval tv{kReadSeconds, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    parser.header_limit(16 * 1024);
    beast::error_code ec;
    http::read(socket, buffer, parser, ec);
    AnswerReply reply{400, "not an HTTP request this endpoint reads"};
    if (ec == http::error::body_limit) reply = {413, "the body is past 1 MiB"};
    if (!ec) reply = answer(parser.get());
    http::response<http::string_body> res{static_cast<http::status>(reply.status), 11};
    res.set(http::field::content_type, "application/json");
    res.body() = reply.status < 300
                     ? "{}"
                     : boost::json::serialize(boost::json::object{{"error", reply.error}});
    res.keep_alive(false);
    res.prepare_payload();
    http::write(socket, res, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }
};

AnswerReceiver::AnswerReceiver(const std::string& host, unsigned short port, std::string secret,
                               Handler handler)
    : impl_(std::make_unique<Impl>()) {
  impl_->secret = std::move(secret);
  impl_->handler = std::move(handler);
  auto& a = impl_->acceptor;
  tcp::endpoint ep(asio::ip::make_address(host), port);
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen();
  port_ = a.local_endpoint().port();
  impl_->self = a.local_endpoint();
  if (impl_->self.address().is_unspecified())
    impl_->self.address(asio::ip::make_address(ep.address().is_v6() ? "::1" : "127.0.0.1"));
  thread_ = std::thread([impl = impl_.get()] {
    for (;;) {
      beast::error_code ec;
      tcp::socket s(impl->io);
      impl->acceptor.accept(s, ec);
      if (impl->stopping) return;
      if (ec) {
        // Out of descriptors, say: not a hot loop while it lasts.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      impl->serve(std::move(s));
    }
  });
}

AnswerReceiver::~AnswerReceiver() {
  // accept() blocks the receiver's thread: a connection of our own wakes it.
  impl_->stopping = true;
  asio::io_context io;
  tcp::socket wake(io);
  beast::error_code ec;
  wake.connect(impl_->self, ec);
  thread_.join();
}

}  // namespace panelwire::forum
