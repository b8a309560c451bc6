#pragma once
// `panelwire token`: signs a participant token (JWT, HS256) for development
// and tests.

#include <string>
#include <vector>

namespace panelwire::cli {

int run_token(const std::vector<std::string>& args);

}  // namespace panelwire::cli
