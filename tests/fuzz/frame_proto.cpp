// Client frames of the panelwire.v1.proto subprotocol: anything a connected
// client can send.

#include "client_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  panelwire::fuzz::run_client_frame(data, size, panelwire::core::WireFormat::proto);
  return 0;
}
