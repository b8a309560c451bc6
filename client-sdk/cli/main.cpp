// panelwire: the command-line client. `panelwire chat ...` joins a panel.

#include <iostream>
#include <string>
#include <vector>

#include "chat_command.h"
#include "token_command.h"

namespace {

void usage() {
  std::cerr << "usage: panelwire <command> [options]\n"
               "commands:\n"
               "  chat   join a panel, print its events, send each stdin line as chat\n"
               "  token  print a signed participant token (development, tests)\n"
               "run `panelwire <command> --help` for its options\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 64;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "chat") return panelwire::cli::run_chat(args);
  if (command == "token") return panelwire::cli::run_token(args);
  if (command == "--help" || command == "help") {
    usage();
    return 0;
  }
  std::cerr << "panelwire: unknown command '" << command << "'\n";
  usage();
  return 64;
}
