#include "panelwire/client/codec.h"

#include <google/protobuf/util/json_util.h>

namespace panelwire::client {

namespace pbu = google::protobuf::util;

std::string_view subprotocol(WireFormat format) {
  return format == WireFormat::proto ? "panelwire.v1.proto" : "panelwire.v1.json";
}

std::string encode(const v1::ClientMessage& msg, WireFormat format) {
  std::string out;
  if (format == WireFormat::proto)
    msg.SerializeToString(&out);
  else
    (void)pbu::MessageToJsonString(msg, &out);
  return out;
}

std::optional<v1::ServerMessage> decode(std::string_view data, WireFormat format) {
  v1::ServerMessage msg;
  if (format == WireFormat::proto) {
    if (!msg.ParseFromArray(data.data(), static_cast<int>(data.size()))) return std::nullopt;
    return msg;
  }
  pbu::JsonParseOptions opts;
  // A newer server may add fields; they are not ours to refuse.
  opts.ignore_unknown_fields = true;
  if (!pbu::JsonStringToMessage(data, &msg, opts).ok()) return std::nullopt;
  return msg;
}

v1::Ack local_error(const std::string& id, v1::ErrorCode code, std::string message) {
  v1::Ack a;
  a.set_id(id);
  a.mutable_error()->set_code(code);
  a.mutable_error()->set_message(std::move(message));
  return a;
}

}  // namespace panelwire::client
