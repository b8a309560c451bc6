#pragma once
// A JSON Lines file, for inspection and scripts: one object per post, the
// rendered text and the leftover's fields, each line synced. A leftover
// already in the file (a crash between the write and the ledger) is not
// written again.

#include <set>

#include "panelwire/forum/render.h"
#include "panelwire/forum/sink.h"

namespace panelwire::forum {

class JsonlSink final : public Sink {
 public:
  // Throws std::runtime_error when `path` exists and cannot be read.
  JsonlSink(std::string path, PostFormat format);
  Delivery deliver(const v1::Leftover& l, const std::string& text) override;

 private:
  std::string path_;
  PostFormat format_;
  std::set<std::string> written_;
};

}  // namespace panelwire::forum
