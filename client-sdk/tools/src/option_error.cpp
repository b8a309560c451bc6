#include "panelwire/tools/option_error.h"

namespace panelwire::tools {

namespace po = boost::program_options;

namespace {
// The substitutions are protected: a derived type may name them.
struct Substitutions : po::error_with_option_name {
  static auto member() { return &Substitutions::m_substitutions; }
};
}  // namespace

std::string option_error_message(const std::exception& e) {
  const auto* named = dynamic_cast<const po::error_with_option_name*>(&e);
  if (!named) return e.what();
  // A copy: the caller's error stays as thrown.
  po::error_with_option_name copy = *named;
  for (auto& entry : copy.*(Substitutions::member()))
    for (char& c : entry.second)
      if (c == '%') c = '?';
  return copy.what();
}

}  // namespace panelwire::tools
