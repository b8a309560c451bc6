#include "codec.h"

#include "ws_frame.h"

#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

namespace panelwire::core {

namespace pbu = google::protobuf::util;

Result<v1::ClientMessage> decode_client(std::string_view data, WireFormat format) {
  v1::ClientMessage msg;
  if (format == WireFormat::proto) {
    if (data.size() > static_cast<std::size_t>(INT32_MAX) ||
        !msg.ParseFromArray(data.data(), static_cast<int>(data.size())))
      return fail(v1::MALFORMED, "frame is not a panelwire.v1.ClientMessage");
    return msg;
  }
  pbu::JsonParseOptions opts;
  // Unknown fields are skipped, as the binary format does, so newer clients
  // can talk to older servers; an unknown command still ends as an empty
  // oneof and gets UNKNOWN_COMMAND.
  opts.ignore_unknown_fields = true;
  auto status = pbu::JsonStringToMessage(data, &msg, opts);
  if (!status.ok())
    return fail(v1::MALFORMED, "frame is not a panelwire.v1.ClientMessage in JSON: " +
                                   std::string(status.message()));
  return msg;
}

std::string encode(const v1::ServerMessage& msg, WireFormat format) {
  std::string out;
  if (format == WireFormat::proto) {
    msg.SerializeToString(&out);
  } else {
    pbu::JsonPrintOptions opts;
    opts.preserve_proto_field_names = false;
    (void)pbu::MessageToJsonString(msg, &out, opts);
  }
  return out;
}

std::string encode_wire(const v1::ServerMessage& msg, WireFormat format) {
  if (format == WireFormat::json) return frame_message(encode(msg, format), true);
  // Binary: serialized straight after its header, no second copy.
  const auto size = msg.ByteSizeLong();
  const auto header = frame_header_size(size);
  std::string out(header + size, '\0');
  write_frame_header(out.data(), size, false);
  msg.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(out.data() + header));
  return out;
}

Frame encode_frame(const v1::ServerMessage& msg, WireFormat format) {
  return std::make_shared<const std::string>(encode_wire(msg, format));
}

void route_protobuf_logs() {
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel level, const char* file, int line, const std::string& message) {
        // Parse failures are reported to the client as MALFORMED; keep them at debug.
        auto lvl =
            level >= google::protobuf::LOGLEVEL_ERROR ? spdlog::level::debug : spdlog::level::trace;
        spdlog::log(lvl, "event=protobuf file={} line={} msg=\"{}\"", file, line, message);
      });
}

}  // namespace panelwire::core
