#include "panel_record.h"

#include <algorithm>

#include <boost/json.hpp>

#include "event_format.h"

namespace panelwire::cli {

namespace {

std::string utc(std::int64_t at_ms) {
  return format_utc(at_ms, "%Y-%m-%dT%H:%M:%SZ");
}

// User text inside Markdown: one line, its markup characters escaped, so
// a message can neither format the transcript nor break out of its line.
std::string md(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    // Line ends and control characters (ESC: a terminal's escapes) become a
    // space; so do the bidirectional overrides and isolates (U+202A..E,
    // U+2066..9), which would reorder what follows them on the line.
    if (u < 0x20 || u == 0x7f) {
      out += ' ';
      continue;
    }
    if (u == 0xe2 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9)) {
        out += ' ';
        i += 2;
        continue;
      }
    }
    if (std::string_view("\\`*_{}[]<>()#+-.!|~").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A CSV field (RFC 4180): quoted, its quotes doubled. A field a spreadsheet
// would take for a formula is prefixed with ' so it stays text.
std::string csv_field(const std::string& s) {
  std::string v = s;
  if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos)
    v.insert(v.begin(), '\'');
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string state_word(v1::QuestionState s) {
  switch (s) {
    case v1::PENDING:
      return "pending";
    case v1::OPEN:
      return "open";
    case v1::ANSWERING:
      return "answering";
    case v1::ANSWERED:
      return "answered";
    case v1::DISMISSED:
      return "dismissed";
    case v1::MERGED:
      return "merged";
    default:
      return "unknown";
  }
}

std::string role_word(v1::Role r) {
  switch (r) {
    case v1::MODERATOR:
      return "moderator";
    case v1::PANELIST:
      return "panelist";
    default:
      return "attendee";
  }
}

std::string q(std::uint64_t id) {
  return "question #" + std::to_string(id);
}

// What a change to the questions did, and to which: the questions it left
// in the state the change leads to (a highlight also reopens the one
// answered before, which is not what the moderator acted on).
std::pair<std::string, std::string> question_change(const v1::QuestionsChanged& c) {
  auto first = [&](auto pred) -> const v1::Question* {
    for (const auto& x : c.questions())
      if (pred(x)) return &x;
    return c.questions().empty() ? nullptr : &c.questions(0);
  };
  auto target = [&](auto pred) {
    const auto* x = first(pred);
    return x ? q(x->id()) : std::string("a question");
  };
  switch (c.change()) {
    case v1::CHANGE_APPROVED:
      return {"approved", target([](const auto& x) { return x.state() == v1::OPEN; })};
    case v1::CHANGE_DISMISSED:
      return {"dismissed", target([](const auto& x) { return x.state() == v1::DISMISSED; })};
    case v1::CHANGE_RESTORED:
      return {"restored", target([](const auto& x) { return x.state() != v1::DISMISSED; })};
    case v1::CHANGE_HIGHLIGHTED:
      return {"highlighted", target([](const auto& x) { return x.state() == v1::ANSWERING; })};
    case v1::CHANGE_ANSWERED:
      return {"marked answered", target([](const auto& x) { return x.state() == v1::ANSWERED; })};
    case v1::CHANGE_SENT_TO_FORUM:
      return {"sent to the forum", target([](const auto& x) { return x.for_forum(); })};
    case v1::CHANGE_FORUM_UPDATED:
      return {"followed up in the forum", target([](const auto&) { return true; })};
    case v1::CHANGE_MERGED: {
      const auto* d = first([](const auto& x) { return x.state() == v1::MERGED; });
      if (!d) return {"merged", "questions"};
      return {"merged", q(d->id()) + " into " + q(d->merged_into())};
    }
    case v1::CHANGE_PROMOTED: {
      const auto* p = first([](const auto& x) { return x.kind() == v1::CHAT_COMMENT; });
      if (!p) return {"promoted", "a chat message"};
      return {"promoted", "chat #" + std::to_string(p->chat_seq()) + " to " + q(p->id())};
    }
    default:
      return {};  // asked, voted: the attendees' own
  }
}

}  // namespace

std::string PanelRecord::asker_of(const v1::Question& x) {
  if (x.anonymous() || !x.has_asker()) return "an attendee";
  return x.asker().display_name();
}

void PanelRecord::add(const v1::Event& ev) {
  const auto& who = ev.actor();
  const bool moderating = who.role() == v1::MODERATOR || who.role() == v1::PANELIST;
  auto note = [&](std::string action, std::string target) {
    if (moderating && !action.empty())
      moderation_.push_back({ev.seq(), ev.at_ms(), who, std::move(action), std::move(target)});
  };
  switch (ev.kind_case()) {
    case v1::Event::kChatPosted:
      names_[ev.chat_posted().author().id()] = ev.chat_posted().author().display_name();
      chat_[ev.seq()] = {ev.seq(), ev.at_ms(), ev.chat_posted().author().display_name(),
                         ev.chat_posted().author().id(), ev.chat_posted().text()};
      break;
    case v1::Event::kChatDeleted: {
      const auto seq = ev.chat_deleted().chat_seq();
      auto it = chat_.find(seq);
      // Taking back one's own message is not moderation.
      const bool own = it != chat_.end() && it->second.author_id == ev.chat_deleted().by().id();
      if (!own && who.role() == v1::MODERATOR)
        note("deleted", "chat #" + std::to_string(seq) +
                            (it == chat_.end() ? "" : " by " + it->second.author));
      if (it != chat_.end()) chat_.erase(it);
      break;
    }
    case v1::Event::kQuestionsChanged: {
      for (const auto& x : ev.questions_changed().questions()) {
        questions_[x.id()] = x;
        if (!x.anonymous() && x.has_asker()) names_[x.asker().id()] = x.asker().display_name();
      }
      auto [action, target] = question_change(ev.questions_changed());
      note(action, target);
      break;
    }
    case v1::Event::kParticipantMuted: {
      // The event names the participant by id; the name is the one they
      // chatted or asked under, when they did.
      const auto& id = ev.participant_muted().who().id();
      auto known = names_.find(id);
      note(ev.participant_muted().muted() ? "muted" : "unmuted",
           known == names_.end() ? id : known->second + " (" + id + ")");
      break;
    }
    case v1::Event::kChatLocked:
      note(ev.chat_locked().locked() ? "locked the chat" : "unlocked the chat", "");
      break;
    case v1::Event::kPanelRules:
      note("changed the rules", "");
      break;
    case v1::Event::kPanelEnded:
      ended_ = true;
      leftovers_.assign(ev.panel_ended().leftover_ids().begin(),
                        ev.panel_ended().leftover_ids().end());
      note("ended the panel", "");
      break;
    default:
      break;
  }
}

std::string PanelRecord::markdown(const std::string& panel_id) const {
  std::string out = "# Panel " + md(panel_id) + "\n\n## Chat\n\n";
  if (chat_.empty()) out += "No messages.\n";
  for (const auto& [seq, c] : chat_)
    out += "- " + utc(c.at_ms) + " **" + md(c.author) + "**: " + md(c.text) + "\n";
  out += "\n## Questions\n\n";
  if (questions_.empty()) out += "No questions.\n";
  for (const auto& [id, x] : questions_) {
    out += "### " + std::to_string(id) + ". " + md(x.text()) + "\n\n";
    out += "- Asked by " + md(asker_of(x));
    if (!x.addressed_to().empty()) out += ", for " + md(x.addressed_to());
    out += "\n- " + state_word(x.state()) + ", " + std::to_string(x.votes()) + " vote" +
           (x.votes() == 1 ? "" : "s") + "\n";
    if (x.state() == v1::MERGED) out += "- Merged into " + std::to_string(x.merged_into()) + "\n";
    if (!x.answer_text().empty()) out += "- Answer: " + md(x.answer_text()) + "\n";
    if (x.for_forum() || x.published()) out += "- Sent to the forum\n";
    if (!x.forum_url().empty()) out += "- Continued in the forum: <" + x.forum_url() + ">\n";
    if (x.has_forum_answer())
      out += "- Answered in the forum by " + md(x.forum_answer().answered_by()) + ": <" +
             x.forum_answer().url() + ">\n";
    out += "\n";
  }
  if (ended_) {
    out += "## Continued in the forum\n\n";
    if (leftovers_.empty()) out += "Nothing was left over.\n";
    for (auto id : leftovers_) out += "- Question " + std::to_string(id) + "\n";
  }
  return out;
}

std::string PanelRecord::json(const std::string& panel_id) const {
  boost::json::object o;
  o["panel"] = panel_id;
  boost::json::array chat;
  for (const auto& [seq, c] : chat_)
    chat.push_back({{"seq", seq}, {"at", utc(c.at_ms)}, {"author", c.author}, {"text", c.text}});
  o["chat"] = std::move(chat);
  boost::json::array questions;
  for (const auto& [id, x] : questions_) {
    boost::json::object j{{"id", id},
                          {"kind", x.kind() == v1::CHAT_COMMENT ? "chat_comment" : "question"},
                          {"text", x.text()},
                          {"asked_by", asker_of(x)},
                          {"anonymous", x.anonymous()},
                          {"addressed_to", x.addressed_to()},
                          {"state", state_word(x.state())},
                          {"votes", x.votes()},
                          {"answer", x.answer_text()},
                          {"sent_to_forum", x.for_forum() || x.published()}};
    if (x.state() == v1::MERGED) j["merged_into"] = x.merged_into();
    if (!x.forum_url().empty()) j["forum_url"] = x.forum_url();
    if (x.has_forum_answer())
      j["forum_answer"] = {{"answered_by", x.forum_answer().answered_by()},
                           {"url", x.forum_answer().url()}};
    questions.push_back(std::move(j));
  }
  o["questions"] = std::move(questions);
  o["ended"] = ended_;
  boost::json::array left;
  for (auto id : leftovers_) left.push_back(id);
  o["leftovers"] = std::move(left);
  return boost::json::serialize(o) + "\n";
}

std::string PanelRecord::csv() const {
  std::string out = "kind,id,time,author,text,state,votes,answer,merged_into\r\n";
  for (const auto& [seq, c] : chat_)
    out += "chat," + std::to_string(seq) + "," + utc(c.at_ms) + "," + csv_field(c.author) + "," +
           csv_field(c.text) + ",,,,\r\n";
  for (const auto& [id, x] : questions_)
    out += "question," + std::to_string(id) + "," + utc(x.asked_at_ms()) + "," +
           csv_field(asker_of(x)) + "," + csv_field(x.text()) + "," + state_word(x.state()) + "," +
           std::to_string(x.votes()) + "," + csv_field(x.answer_text()) + "," +
           (x.state() == v1::MERGED ? std::to_string(x.merged_into()) : "") + "\r\n";
  return out;
}

std::string PanelRecord::audit() const {
  std::string out;
  for (const auto& m : moderation_) {
    out += "#" + std::to_string(m.seq) + " " + utc(m.at_ms) + " " + m.who.display_name() + " (" +
           role_word(m.who.role()) + ", " + m.who.id() + ") " + m.action;
    if (!m.target.empty()) out += " " + m.target;
    out += "\n";
  }
  return out;
}

}  // namespace panelwire::cli
