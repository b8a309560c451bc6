#pragma once
// TLS for the tests: certificates made with openssl as an operator would
// (self-signed, for the loopback address), and a real TLS client of the
// relay's WebSocket and HTTP sides that trusts one certificate only.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::test {

struct TestCertificate {
  std::string cert;  // PEM certificate file
  std::string key;   // PEM private key file
};

// Makes a self-signed certificate for 127.0.0.1 and localhost, its
// subject CN=`name`, in `dir`; throws when openssl fails.
TestCertificate make_certificate(const std::string& dir, const std::string& name);

// The SHA-256 fingerprint of the PEM certificate in `file` (hex).
std::string fingerprint_of_file(const std::string& file);

// A WebSocket client over TLS speaking the JSON subprotocol.
class TlsClient {
 public:
  // Throws boost::system::system_error when the TLS or the WebSocket
  // handshake fails. An empty `trusted_certificate` trusts nothing.
  TlsClient(unsigned short port, const std::string& trusted_certificate);

  void send(const v1::ClientMessage& m);
  v1::ServerMessage read();
  // The ack of `id`, past what comes before it (kept in `events`).
  v1::Ack ack(const std::string& id);
  // Hello on `panel` as `name`; the Welcome, or a failure.
  void join(const std::string& panel, const std::string& name);
  // The server's certificate's SHA-256 fingerprint (hex).
  std::string peer_fingerprint();
  // Our close frame, then the server's; true when the handshake completed.
  bool close();
  // Reads (dropping) until the server closes; its close code, 0 for none
  // within `within`.
  unsigned read_until_close(std::chrono::seconds within = std::chrono::seconds(20));

 private:
  boost::asio::io_context io_;
  boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_client};
  std::optional<boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>>
      ws_;
};

// GET `target` over TLS; the status and the body. Throws as TlsClient.
std::pair<unsigned, std::string> https_get(unsigned short port,
                                           const std::string& trusted_certificate,
                                           const std::string& target);

}  // namespace panelwire::test
