// A bad option value that holds the error formatter's own placeholder gives
// a message, not an endless loop, in every command-line tool.

#include <gtest/gtest.h>
#include <boost/program_options.hpp>

#include "panelwire/tools/option_error.h"

namespace panelwire::tools {
namespace {

namespace po = boost::program_options;

std::string message_for(std::vector<std::string> args) {
  int per_minute = 0;
  po::options_description desc;
  desc.add_options()("per-minute", po::value(&per_minute), "posts a minute");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (std::exception& e) {
    return option_error_message(e);
  }
  return "no error";
}

TEST(OptionError, AValueHoldingAPlaceholderIsShownDefused) {
  auto m = message_for({"--per-minute", "%value%"});
  EXPECT_NE(m.find("per-minute"), std::string::npos) << m;
  EXPECT_NE(m.find("?value?"), std::string::npos) << m;
  EXPECT_EQ(m.find('%'), std::string::npos) << m;
}

TEST(OptionError, OtherErrorsKeepTheirMessage) {
  EXPECT_NE(message_for({"--per-minute", "many"}).find("'many'"), std::string::npos);
  EXPECT_NE(message_for({"--posts"}).find("unrecognised option '--posts'"), std::string::npos);
  std::runtime_error plain("plain");
  EXPECT_EQ(option_error_message(plain), "plain");
}

TEST(OptionError, AnAmbiguousOptionStillListsItsCandidates) {
  int a = 0, b = 0;
  po::options_description desc;
  desc.add_options()("api-key", po::value(&a), "")("api-key-file", po::value(&b), "");
  po::variables_map vm;
  std::vector<std::string> args{"--api", "1"};
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    FAIL() << "--api is ambiguous";
  } catch (std::exception& e) {
    auto m = option_error_message(e);
    EXPECT_NE(m.find("--api-key-file"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace panelwire::tools
