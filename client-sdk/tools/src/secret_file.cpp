#include "panelwire/tools/secret_file.h"

#include <fstream>

namespace panelwire::tools {

std::optional<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0)
    text.append(buf, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) return std::nullopt;  // a directory, or a failed read
  if (text.ends_with("\r\n"))
    text.resize(text.size() - 2);
  else if (text.ends_with('\n'))
    text.pop_back();
  return text;
}

}  // namespace panelwire::tools
