// The deployment's panel list (--panels, JSON).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "panel_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace panelwire;
  auto catalog =
      core::PanelCatalog::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!catalog) {
    fuzz::check(catalog.error().code == v1::INVALID_ARGUMENT,
                "a refused panel list is INVALID_ARGUMENT");
    return 0;
  }
  // A parsed list is closed: no panel can have an empty id.
  fuzz::check(!catalog->open(), "a parsed panel list is closed");
  auto none = catalog->find("");
  fuzz::check(!none && none.error().code == v1::UNKNOWN_PANEL, "no panel has an empty id");
  return 0;
}
