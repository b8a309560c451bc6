#include "tls_certificate.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace panelwire::net {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's reason for the last failure, or the error's own message.
std::string reason(const boost::system::error_code& ec) {
  auto text = ec.message();
  ERR_clear_error();
  return text;
}

}  // namespace

TlsCertificate::TlsCertificate(std::string cert_file, std::string key_file,
                               std::shared_ptr<Context> ctx)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), ctx_(std::move(ctx)) {}

core::Result<std::unique_ptr<TlsCertificate>> TlsCertificate::load(std::string cert_file,
                                                                   std::string key_file) {
  auto ctx = read(cert_file, key_file);
  if (!ctx) return ctx.error();
  return std::unique_ptr<TlsCertificate>(
      new TlsCertificate(std::move(cert_file), std::move(key_file), std::move(*ctx)));
}

std::shared_ptr<TlsCertificate::Context> TlsCertificate::current() const {
  std::lock_guard lock(mu_);
  return ctx_;
}

core::Result<void> TlsCertificate::reload() {
  auto ctx = read(cert_file_, key_file_);
  if (!ctx) return ctx.error();
  std::lock_guard lock(mu_);
  ctx_ = std::move(*ctx);
  return {};
}

core::Result<std::shared_ptr<TlsCertificate::Context>> TlsCertificate::read(
    const std::string& cert_file, const std::string& key_file) {
  auto ctx = std::make_shared<Context>(Context::tls_server);
  boost::system::error_code ec;
  // TLS 1.2 and 1.3 only, what browsers still speak; no renegotiation (a
  // client could make us redo the handshake's work at will) nor
  // compression (CRIME), set here rather than left to the build's defaults.
  ctx->set_options(Context::default_workarounds | Context::no_sslv2 | Context::no_sslv3 |
                       Context::no_tlsv1 | Context::no_tlsv1_1 | Context::single_dh_use |
                       Context::no_compression,
                   ec);
  auto* native = ctx->native_handle();
  SSL_CTX_set_options(native,
                      SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  // TLS 1.2 with forward secrecy and an AEAD only (1.3's suites are all so).
  SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20");
  // No resumption: neither a session cache (memory per past client) nor
  // tickets (a key that would live as long as the process). A reconnect
  // pays a full handshake, which the per-address handshake rate bounds.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(native, 0);
  // An encrypted key is refused, never asked for on a terminal (which would
  // hold the main thread on SIGHUP).
  ctx->set_password_callback([](std::size_t, Context::password_purpose) { return std::string(); },
                             ec);
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) return core::fail(v1::INVALID_ARGUMENT, "--tls-cert " + cert_file + ": " + reason(ec));
  ctx->use_private_key_file(key_file, Context::pem, ec);
  if (ec) return core::fail(v1::INVALID_ARGUMENT, "--tls-key " + key_file + ": " + reason(ec));
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return core::fail(v1::INVALID_ARGUMENT,
                      "--tls-key " + key_file + ": not the key of --tls-cert " + cert_file);
  }
  return ctx;
}

}  // namespace panelwire::net
