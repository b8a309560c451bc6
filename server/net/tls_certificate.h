#pragma once
// The relay's certificate and key (--tls-cert, --tls-key): read at start
// and again on SIGHUP. A reload that fails keeps the pair in use, so a
// renewal copied half-way never takes the node off the air; connections
// already open keep the context they began with.

#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "failure.h"

namespace panelwire::net {

class TlsCertificate {
 public:
  using Context = boost::asio::ssl::context;

  // Reads both files (PEM; the certificate file may hold its chain). The
  // error names the file OpenSSL could not take and why.
  static core::Result<std::unique_ptr<TlsCertificate>> load(std::string cert_file,
                                                            std::string key_file);

  // The context a new connection takes. Any thread.
  std::shared_ptr<Context> current() const;
  // Reads the files again; on failure the context in use stays. Any thread.
  core::Result<void> reload();

 private:
  TlsCertificate(std::string cert_file, std::string key_file, std::shared_ptr<Context> ctx);
  static core::Result<std::shared_ptr<Context>> read(const std::string& cert_file,
                                                     const std::string& key_file);

  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<Context> ctx_;
};

}  // namespace panelwire::net
