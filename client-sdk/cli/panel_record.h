#pragma once
// A panel's record, rebuilt from its events in order, as a moderator
// receives them: the chat (deleted messages left out), the questions as
// they ended up, and who moderated what. What `panelwire transcript` and
// `panelwire audit` print. Anonymous askers stay anonymous in every
// format, though a moderator's events name them.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "panelwire/v1/panelwire.pb.h"

namespace panelwire::cli {

class PanelRecord {
 public:
  // Events in seq order, from the panel's first.
  void add(const v1::Event& ev);

  // Markdown for people, JSON and CSV for tools.
  std::string markdown(const std::string& panel_id) const;
  std::string json(const std::string& panel_id) const;
  std::string csv() const;
  // One line per moderation: "#<seq> <UTC time> <who> (<role>, <id>) <action> <target>".
  std::string audit() const;

 private:
  struct Chat {
    std::uint64_t seq;
    std::int64_t at_ms;
    std::string author;
    std::string author_id;
    std::string text;
  };
  struct Moderation {
    std::uint64_t seq;
    std::int64_t at_ms;
    v1::Participant who;
    std::string action;
    std::string target;
  };
  // The name to print for a question's asker.
  static std::string asker_of(const v1::Question& q);

  std::map<std::uint64_t, Chat> chat_;               // by seq
  std::map<std::uint64_t, v1::Question> questions_;  // by id
  std::vector<Moderation> moderation_;
  // Display names by participant id, as seen in chat and questions.
  // Overflow rule: one per participant who spoke; a panel's history bounds it.
  std::map<std::string, std::string> names_;
  std::vector<std::uint64_t> leftovers_;
  bool ended_ = false;
};

}  // namespace panelwire::cli
