#pragma once
// Option parsing shared by the CLI's commands: help on --help, the error
// and usage on bad input, exit code 64 for usage errors.

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace panelwire::cli {

inline constexpr int kUsageError = 64;

// Fills `vm`; returns an exit code when the command should stop now (0 after
// --help, kUsageError after printing what is wrong), nullopt to go on.
std::optional<int> parse_args(const std::vector<std::string>& args,
                              const boost::program_options::options_description& desc,
                              const boost::program_options::positional_options_description& pos,
                              const char* command, boost::program_options::variables_map& vm);

// Prints "panelwire COMMAND: WHAT" and the usage; returns kUsageError.
int usage_error(const char* command, const std::string& what,
                const boost::program_options::options_description& desc);

}  // namespace panelwire::cli
