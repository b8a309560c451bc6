// panelwire: the command-line client. `panelwire chat ...` joins a panel.

#include <iostream>
#include <string>
#include <vector>

#include "chat_command.h"
#include "cli_args.h"
#include "one_shot.h"
#include "token_command.h"

namespace {

void usage() {
  std::cerr << "usage: panelwire <command> [options]\n"
               "commands:\n"
               "  chat       join a panel, print its events, send each stdin line as chat\n"
               "  ask        ask a question; prints its id\n"
               "  vote       vote for a question\n"
               "  moderate   approve|dismiss|restore|highlight|answer|forum a question\n"
               "  end        end the panel and publish its leftovers\n"
               "  questions  list the questions you may see\n"
               "  transcript the panel's chat and questions (markdown, json, csv)\n"
               "  audit      every moderation of the panel: who, what, on what, when\n"
               "  token      print a signed participant token (development, tests)\n"
               "run `panelwire <command> --help` for its options\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return panelwire::cli::kUsageError;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "chat") return panelwire::cli::run_chat(args);
  if (command == "token") return panelwire::cli::run_token(args);
  if (command == "ask") return panelwire::cli::run_ask(args);
  if (command == "vote") return panelwire::cli::run_vote(args);
  if (command == "moderate") return panelwire::cli::run_moderate(args);
  if (command == "end") return panelwire::cli::run_end(args);
  if (command == "questions") return panelwire::cli::run_questions(args);
  if (command == "transcript") return panelwire::cli::run_transcript(args);
  if (command == "audit") return panelwire::cli::run_audit(args);
  if (command == "--help" || command == "help") {
    usage();
    return 0;
  }
  std::cerr << "panelwire: unknown command '" << command << "'\n";
  usage();
  return panelwire::cli::kUsageError;
}
