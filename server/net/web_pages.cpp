#include "web_pages.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "text.h"

namespace panelwire::net {

namespace fs = std::filesystem;

namespace {

std::string content_type_of(const fs::path& p) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  auto it = types.find(p.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

// "/p/{panel}", "/p/{panel}/moderate", "/p/{panel}/stage" with a valid id.
bool is_panel_route(std::string_view path) {
  if (path.substr(0, 3) != "/p/") return false;
  auto rest = path.substr(3);
  auto slash = rest.find('/');
  auto panel = rest.substr(0, slash);
  if (!core::valid_panel_id(panel)) return false;
  if (slash == std::string_view::npos) return true;
  auto view = rest.substr(slash);
  return view == "/" || view == "/moderate" || view == "/stage";
}

}  // namespace

std::shared_ptr<const WebPages> WebPages::load(const std::string& root, std::size_t max_bytes) {
  auto pages = std::make_shared<WebPages>();
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return pages;
  std::size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    total += body.size();
    if (total > max_bytes)
      throw std::runtime_error("the pages under " + root + " are larger than " +
                               std::to_string(max_bytes) + " bytes");
    auto rel = "/" + fs::relative(it->path(), root).generic_string();
    pages->files_[rel] = File{std::make_shared<const std::string>(std::move(body)),
                              content_type_of(it->path()), rel.rfind("/assets/", 0) == 0};
  }
  return pages;
}

const WebPages::File* WebPages::find(std::string_view path) const {
  if (path == "/" || is_panel_route(path)) path = "/index.html";
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace panelwire::net
