#include "redis_asio_adapter.h"

#include <hiredis/async.h>

#include <boost/asio/posix/stream_descriptor.hpp>

namespace panelwire::engine {

namespace asio = boost::asio;

namespace {

// Shared with the pending waits, so a wait that completes after hiredis
// freed the context sees `ac == nullptr` and does nothing.
struct AsioWatch : std::enable_shared_from_this<AsioWatch> {
  AsioWatch(redisAsyncContext* c, const asio::any_io_executor& ex) : ac(c), fd(ex, c->c.fd) {}

  redisAsyncContext* ac;
  asio::posix::stream_descriptor fd;
  bool reading = false, writing = false;
  bool read_pending = false, write_pending = false;

  using Wait = asio::posix::stream_descriptor::wait_type;

  // Waits for the socket to be ready for `type` while hiredis wants it, and
  // hands it to hiredis (which may free the context, or drop its want).
  void arm(Wait type) {
    const bool read = type == Wait::wait_read;
    if (!(read ? reading : writing) || (read ? read_pending : write_pending) || !ac) return;
    (read ? read_pending : write_pending) = true;
    fd.async_wait(type, [self = shared_from_this(), type, read](boost::system::error_code ec) {
      (read ? self->read_pending : self->write_pending) = false;
      if (ec || !self->ac || !(read ? self->reading : self->writing)) return;
      if (read)
        redisAsyncHandleRead(self->ac);
      else
        redisAsyncHandleWrite(self->ac);
      self->arm(type);
    });
  }
};

// The hooks hiredis calls; each is idempotent, as hiredis may repeat them.
struct Holder {
  std::shared_ptr<AsioWatch> watch;
};
AsioWatch& watch_of(void* data) {
  return *static_cast<Holder*>(data)->watch;
}

void add_read(void* data) {
  auto& w = watch_of(data);
  w.reading = true;
  w.arm(AsioWatch::Wait::wait_read);
}
void del_read(void* data) {
  watch_of(data).reading = false;
}
void add_write(void* data) {
  auto& w = watch_of(data);
  w.writing = true;
  w.arm(AsioWatch::Wait::wait_write);
}
void del_write(void* data) {
  watch_of(data).writing = false;
}
void cleanup(void* data) {
  auto* holder = static_cast<Holder*>(data);
  auto& w = *holder->watch;
  w.reading = w.writing = false;
  w.ac = nullptr;
  boost::system::error_code ignored;
  w.fd.cancel(ignored);
  // hiredis closes the socket itself.
  w.fd.release();
  delete holder;
}

}  // namespace

void attach_asio(redisAsyncContext* ac, const asio::any_io_executor& ex) {
  auto* holder = new Holder{std::make_shared<AsioWatch>(ac, ex)};
  ac->ev.data = holder;
  ac->ev.addRead = add_read;
  ac->ev.delRead = del_read;
  ac->ev.addWrite = add_write;
  ac->ev.delWrite = del_write;
  ac->ev.cleanup = cleanup;
}

}  // namespace panelwire::engine
