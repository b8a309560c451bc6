#pragma once
// Commands that join a panel, do one thing and leave: `panelwire ask`,
// `vote`, `moderate`, `end`, `questions`, `transcript` and `audit`. Each prints its result on
// stdout, or the typed error on stderr and exits non-zero (1: the server
// refused, 2: the panel could not be joined, 64: usage).

#include <string>
#include <vector>

namespace panelwire::cli {

int run_ask(const std::vector<std::string>& args);
int run_vote(const std::vector<std::string>& args);
int run_moderate(const std::vector<std::string>& args);
int run_end(const std::vector<std::string>& args);
int run_questions(const std::vector<std::string>& args);
// The panel's record from its events (PanelRecord): its transcript, and the
// audit trail of its moderation.
int run_transcript(const std::vector<std::string>& args);
int run_audit(const std::vector<std::string>& args);

}  // namespace panelwire::cli
