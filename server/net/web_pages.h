#pragma once
// The browser pages the relay serves on its own port (built from
// client-sdk/web): read once at start into memory, immutable after, shared
// by every shard, so serving a page never touches the disk on an io thread.
// Routes: "/", "/p/{panel}", "/p/{panel}/moderate" and "/p/{panel}/stage"
// get the single page (index.html), which picks its view from the path;
// any other file of the built tree is served at its path.

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace panelwire::net {

class WebPages {
 public:
  struct File {
    std::shared_ptr<const std::string> body;
    std::string content_type;
    // Vite names built assets by their content hash: cacheable for ever.
    bool immutable = false;
  };

  // Reads every file under `root`; none when it is missing (the relay then
  // serves no pages). Throws std::runtime_error past `max_bytes`.
  static std::shared_ptr<const WebPages> load(const std::string& root, std::size_t max_bytes);

  // The file a GET of `path` (no query) gets, or null.
  const File* find(std::string_view path) const;
  bool empty() const { return files_.empty(); }

 private:
  std::map<std::string, File, std::less<>> files_;
};

}  // namespace panelwire::net
