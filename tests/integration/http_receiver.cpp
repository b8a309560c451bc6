#include "http_receiver.h"

#include <atomic>
#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "panelwire/forum/webhook_sink.h"

namespace panelwire::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpReceiver::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::atomic<bool> stopping = false;
  std::thread thread;
  std::mutex m;
  Policy policy;
  std::vector<ReceivedRequest> requests;
  std::vector<ReceivedRequest> created;
  std::map<std::string, std::string> post_of_key;

  CannedResponse answer(const ReceivedRequest& r) {
    Policy p;
    int nth = 0;
    {
      std::lock_guard lock(m);
      requests.push_back(r);
      nth = static_cast<int>(requests.size());
      p = policy;
    }
    if (p) {
      if (auto canned = p(r, nth)) return *canned;
    }
    std::lock_guard lock(m);
    auto key = r.headers.contains("idempotency-key") ? r.headers.at("idempotency-key") : r.body;
    auto [it, fresh] = post_of_key.emplace(key, std::to_string(post_of_key.size() + 1));
    if (fresh) created.push_back(r);
    return CannedResponse{200, R"({"id":)" + it->second + "}", {}};
  }

  void serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      ReceivedRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      r.body = req.body();
      auto canned = answer(r);
      http::response<http::string_body> res{static_cast<http::status>(canned.status), 11};
      res.set(http::field::content_type, "application/json");
      for (const auto& [k, v] : canned.headers) res.set(k, v);
      res.body() = canned.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }
};

HttpReceiver::HttpReceiver() : impl_(std::make_unique<Impl>()) {
  auto& a = impl_->acceptor;
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  a.open(ep.protocol());
  a.bind(ep);
  a.listen();
  port_ = a.local_endpoint().port();
  impl_->thread = std::thread([impl = impl_.get()] {
    // One request at a time, in order: what a test wants to reason about.
    for (;;) {
      beast::error_code ec;
      tcp::socket s(impl->io);
      impl->acceptor.accept(s, ec);
      if (ec || impl->stopping) return;
      impl->serve(std::move(s));
    }
  });
}

HttpReceiver::~HttpReceiver() {
  // accept() is blocked on the server's thread: a connection wakes it.
  impl_->stopping = true;
  asio::io_context io;
  tcp::socket wake(io);
  beast::error_code ec;
  wake.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  impl_->thread.join();
}

bool signed_with(const std::string& secret, const ReceivedRequest& r) {
  const auto t = r.headers.find("x-panelwire-timestamp");
  const auto sig = r.headers.find("x-panelwire-signature");
  if (t == r.headers.end() || sig == r.headers.end()) return false;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return forum::verify_webhook(secret, t->second, sig->second, r.body, now);
}

std::string HttpReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpReceiver::set_policy(Policy p) {
  std::lock_guard lock(impl_->m);
  impl_->policy = std::move(p);
}

std::vector<ReceivedRequest> HttpReceiver::requests() {
  std::lock_guard lock(impl_->m);
  return impl_->requests;
}

std::vector<ReceivedRequest> HttpReceiver::created() {
  std::lock_guard lock(impl_->m);
  return impl_->created;
}

}  // namespace panelwire::test
