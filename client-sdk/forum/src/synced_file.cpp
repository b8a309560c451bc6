#include "synced_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

namespace panelwire::forum {

void append_line_synced(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + path);
  auto text = line + "\n";
  // One write: a reader never sees half of a line that was synced.
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fdatasync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path);
}

}  // namespace panelwire::forum
