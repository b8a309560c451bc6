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
  // TLS 1.2 and 1.3 only: what browsers still speak, nothing they dropped.
  ctx->set_options(Context::default_workarounds | Context::no_sslv2 | Context::no_sslv3 |
                       Context::no_tlsv1 | Context::no_tlsv1_1 | Context::single_dh_use,
                   ec);
  auto* native = ctx->native_handle();
  // An idle connection gives its record buffers back (most of a panel's
  // connections are idle most of the time).
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  // Resumption by ticket only (the client holds the state): a reconnect
  // after a drop skips the full handshake, and the node keeps nothing per
  // past client. The ticket key is the context's: a reload changes it.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
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
