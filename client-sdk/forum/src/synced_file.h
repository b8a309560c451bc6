#pragma once
// Appends a line to a file and syncs it before returning: what the importer
// records there survives a crash. Throws std::runtime_error.

#include <string>

namespace panelwire::forum {

void append_line_synced(const std::string& path, const std::string& line);

}  // namespace panelwire::forum
