#include "cli_args.h"

#include <iostream>

#include "panelwire/tools/option_error.h"

namespace panelwire::cli {

namespace po = boost::program_options;

std::optional<int> parse_args(const std::vector<std::string>& args,
                              const po::options_description& desc,
                              const po::positional_options_description& pos, const char* command,
                              po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (po::error& e) {
    return usage_error(command, tools::option_error_message(e), desc);
  }
  return std::nullopt;
}

int usage_error(const char* command, const std::string& what, const po::options_description& desc) {
  std::cerr << "panelwire " << command << ": " << what << "\n" << desc << "\n";
  return kUsageError;
}

}  // namespace panelwire::cli
