#include "panelwire/forum/jsonl_sink.h"

#include <fstream>
#include <stdexcept>

#include <google/protobuf/util/json_util.h>
#include <boost/json.hpp>

#include "synced_file.h"

namespace panelwire::forum {

JsonlSink::JsonlSink(std::string path, PostFormat format)
    : path_(std::move(path)), format_(format) {
  std::ifstream in(path_);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (ec || !v.is_object()) continue;
    if (const auto* id = v.as_object().if_contains("leftover_id"); id && id->is_string())
      written_.insert(std::string(id->as_string()));
  }
}

Delivery JsonlSink::deliver(const v1::Leftover& l, const std::string& text) {
  Delivery d;
  d.post_id = l.leftover_id();
  if (!written_.contains(l.leftover_id())) {
    std::string leftover_json;
    (void)google::protobuf::util::MessageToJsonString(l, &leftover_json);
    boost::json::object o;
    o["leftover_id"] = l.leftover_id();
    o["format"] = format_ == PostFormat::markdown ? "markdown" : "html";
    o["post"] = text;
    o["leftover"] = boost::json::parse(leftover_json);
    try {
      append_line_synced(path_, boost::json::serialize(o));
    } catch (const std::exception& e) {
      d.outcome = Delivery::Outcome::retry;
      d.reason = e.what();
      return d;
    }
    written_.insert(l.leftover_id());
  }
  d.outcome = Delivery::Outcome::posted;
  return d;
}

}  // namespace panelwire::forum
