#pragma once
// A forum stand-in for the importer tests: a local HTTP server on a free
// loopback port that records every request and answers as the test says.
// By default it behaves like a forum that honours idempotency keys: a POST
// whose Idempotency-Key it saw before gets the same post id, and creates
// nothing.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace panelwire::test {

struct ReceivedRequest {
  std::string method;  // "GET", "POST"
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

struct CannedResponse {
  unsigned status = 200;
  std::string body;
  std::map<std::string, std::string> headers;
};

// Whether `r` carries a webhook signature made with `secret` within the
// last five minutes (forum::verify_webhook, as a receiver checks it).
bool signed_with(const std::string& secret, const ReceivedRequest& r);

class HttpReceiver {
 public:
  // `answer` decides each response; nullopt: the default (create, 200).
  using Policy = std::function<std::optional<CannedResponse>(const ReceivedRequest&, int nth)>;
  HttpReceiver();
  ~HttpReceiver();

  unsigned short port() const { return port_; }
  std::string url(const std::string& path = "/") const;
  void set_policy(Policy p);

  std::vector<ReceivedRequest> requests();
  // Posts created, by idempotency key (or by body when none), in order.
  std::vector<ReceivedRequest> created();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
};

}  // namespace panelwire::test
