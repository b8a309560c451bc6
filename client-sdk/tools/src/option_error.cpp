#include "panelwire/tools/option_error.h"

namespace panelwire::tools {

namespace po = boost::program_options;

namespace {
// The substitutions are protected: a derived type may name them.
struct Substitutions : po::error_with_option_name {
  static auto member() { return &Substitutions::m_substitutions; }
};
}  // namespace

std::string option_error_message(std::exception& e) {
  if (auto* named = dynamic_cast<po::error_with_option_name*>(&e))
    for (auto& entry : named->*(Substitutions::member()))
      for (char& c : entry.second)
        if (c == '%') c = '?';
  return e.what();
}

}  // namespace panelwire::tools
