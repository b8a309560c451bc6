#pragma once
// Drives a hiredis async context from an Asio executor: hiredis says when it
// wants to read or write, Asio waits for the socket to be ready and calls
// back into hiredis. Nothing blocks; everything runs on the one executor
// the context belongs to (hiredis contexts are not thread-safe).

#include <memory>

#include <boost/asio/any_io_executor.hpp>

struct redisAsyncContext;

namespace panelwire::engine {

// Attaches to `ac` (which must not have an adapter yet); hiredis owns the
// adapter from then on and frees it through its cleanup hook when the
// context is freed.
void attach_asio(redisAsyncContext* ac, const boost::asio::any_io_executor& ex);

}  // namespace panelwire::engine
