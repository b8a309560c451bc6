#pragma once
// The panel's question queue as a state machine. Commands arrive as draft
// QuestionsChanged events naming a change; resolve() checks the change
// against the current state and completes the event (new counts, states,
// credits); apply() folds a completed event into the state. Replaying the
// completed events in seq order rebuilds the same board anywhere.

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "failure.h"
#include "panelwire/v1/engine.pb.h"

namespace panelwire::core {

struct QuestionLimits {
  // A question is a sentence or two; the seed thread's longest is ~450.
  std::size_t max_question_chars = 500;
  // A written answer is a short note; the forum holds the long ones.
  std::size_t max_answer_chars = 4'000;
};

class QuestionBoard {
 public:
  // What resolve() found: a change to publish, or nothing to do (a second
  // vote, highlighting the question already highlighted).
  enum class Outcome { changed, unchanged };

  // Completes `ev` as the event `seq` at `now_ms` or fails with the code a
  // client can act on; the board is not touched either way. For
  // CHANGE_ASKED and CHANGE_PROMOTED the draft carries the new question
  // (text, asker, kind...), for the others the question's id and the
  // command's arguments (answer_text, merged_into).
  Result<Outcome> resolve(v1::Event& ev, std::uint64_t seq, std::int64_t now_ms,
                          bool pre_moderation) const;

  void apply(const v1::Event& ev);

  const v1::Question* find(std::uint64_t id) const;
  // Every question, by id.
  const std::map<std::uint64_t, v1::Question>& questions() const { return questions_; }
  bool voted(std::uint64_t id, const std::string& participant_id) const;
  std::vector<std::uint64_t> votes_of(const std::string& participant_id) const;

  // The questions that go to the forum when the panel ends: open or being
  // answered, plus those marked for the forum and not yet published.
  // Pending questions were never approved and stay behind.
  std::vector<std::uint64_t> leftovers() const;

  // The board's part of a panel snapshot, and loading it into an empty board.
  void save(v1::PanelSnapshot& snap) const;
  void load(const v1::PanelSnapshot& snap);

 private:
  Result<Outcome> resolve_asked(v1::Event& ev, std::uint64_t seq, std::int64_t now_ms,
                                bool pre_moderation) const;
  Result<Outcome> resolve_vote(v1::Event& ev, bool withdraw) const;
  Result<Outcome> resolve_merge(v1::Event& ev) const;
  Result<Outcome> resolve_moderation(v1::Event& ev) const;
  Result<const v1::Question*> existing(std::uint64_t id) const;

  std::map<std::uint64_t, v1::Question> questions_;
  std::unordered_map<std::uint64_t, std::unordered_set<std::string>> voters_;
  std::uint64_t answering_ = 0;
};

}  // namespace panelwire::core
