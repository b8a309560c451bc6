#include "file_outbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

namespace panelwire::engine {

FileOutbox::FileOutbox(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw std::runtime_error("cannot open outbox " + path_ + ": " + std::strerror(errno));
  thread_ = std::thread([this] { run(); });
}

FileOutbox::~FileOutbox() {
  {
    std::lock_guard lock(m_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  ::close(fd_);
}

void FileOutbox::publish(v1::LeftoverBatch batch, std::function<void(core::Result<void>)> done) {
  {
    std::lock_guard lock(m_);
    if (jobs_.size() < kMaxQueued && !stopping_) {
      jobs_.push_back(Job{std::move(batch), std::move(done)});
      cv_.notify_one();
      return;
    }
  }
  done(core::fail(v1::UNAVAILABLE, "the leftover outbox is not keeping up"));
}

void FileOutbox::run() {
  std::unique_lock lock(m_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    // Batches already accepted are written even when stopping.
    if (jobs_.empty()) return;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    // A full disk or a hiccup may pass: try a few times before failing the
    // moderator's command. A repeated partial write only repeats lines, which
    // readers drop by leftover_id.
    auto result = write(job.batch);
    for (int attempt = 1; !result && attempt < kAttempts; ++attempt) {
      std::this_thread::sleep_for(kRetryDelay * attempt);
      result = write(job.batch);
    }
    job.done(std::move(result));
    lock.lock();
  }
}

core::Result<void> FileOutbox::write(const v1::LeftoverBatch& batch) {
  std::string lines;
  google::protobuf::util::JsonPrintOptions opts;
  for (const auto& item : batch.items()) {
    std::string line;
    auto status = google::protobuf::util::MessageToJsonString(item, &line, opts);
    if (!status.ok()) return core::fail(v1::INTERNAL, "cannot encode leftover");
    lines += line;
    lines += '\n';
  }
  // One write per batch: with O_APPEND the lines land together.
  std::size_t off = 0;
  while (off < lines.size()) {
    auto n = ::write(fd_, lines.data() + off, lines.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      spdlog::error("event=outbox_write_failed path={} error=\"{}\"", path_, std::strerror(errno));
      return core::fail(v1::UNAVAILABLE, "the leftover outbox cannot be written");
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    spdlog::error("event=outbox_sync_failed path={} error=\"{}\"", path_, std::strerror(errno));
    return core::fail(v1::UNAVAILABLE, "the leftover outbox cannot be synced");
  }
  spdlog::info("event=leftovers_published panel={} seq={} items={} outbox={}", batch.panel_id(),
               batch.seq(), batch.items_size(), path_);
  return {};
}

}  // namespace panelwire::engine
