#include "client_stream.h"

#include <algorithm>
#include <cstring>

namespace panelwire::net {

namespace asio = boost::asio;

Socket& ClientStream::socket() {
  if (auto* plain = std::get_if<Socket>(&stream_)) return *plain;
  return std::get<TlsStream>(stream_).next_layer().socket();
}

void ClientStream::start(boost::system::error_code& ec) {
  // TLS reads and writes are operations of their own (OpenSSL's records
  // between the socket and us): only the plain socket is used directly.
  if (!tls()) socket().non_blocking(true, ec);
}

std::size_t ClientStream::read_now(std::span<char> into, boost::system::error_code& ec) {
  if (auto* plain = std::get_if<Socket>(&stream_))
    return plain->read_some(asio::buffer(into.data(), into.size()), ec);
  if (in_pos_ == in_len_) {
    ec = asio::error::would_block;
    return 0;
  }
  const auto n = std::min(into.size(), in_len_ - in_pos_);
  std::memcpy(into.data(), in_.get() + in_pos_, n);
  in_pos_ += n;
  ec = {};
  return n;
}

std::size_t ClientStream::write_now(const std::vector<asio::const_buffer>& iov,
                                    boost::system::error_code& ec) {
  if (auto* plain = std::get_if<Socket>(&stream_)) return plain->write_some(iov, ec);
  ec = asio::error::would_block;
  return 0;
}

void ClientStream::shutdown_send() {
  boost::system::error_code ignored;
  socket().shutdown(Socket::shutdown_send, ignored);
}

void ClientStream::close() {
  boost::system::error_code ignored;
  socket().close(ignored);
}

}  // namespace panelwire::net
