#pragma once
// Q&A and moderation commands turned into panel event drafts, after the
// checks that need no panel state: the caller's role and the arguments.
// The panel checks the rest against its state when it appends.

#include "failure.h"
#include "panel.h"

namespace panelwire::core {

Result<Draft> draft_ask(const v1::AskQuestion& cmd, const v1::Participant& who,
                        const QuestionLimits& limits);
Result<Draft> draft_vote(const v1::Vote& cmd, const v1::Participant& who);

// Moderators only; everyone else gets FORBIDDEN.
Result<Draft> draft_moderation(const v1::ModerateQuestion& cmd, const v1::Participant& who,
                               const QuestionLimits& limits);
Result<Draft> draft_merge(const v1::MergeQuestions& cmd, const v1::Participant& who);
Result<Draft> draft_promote(const v1::PromoteChat& cmd, const v1::Participant& who);
Result<Draft> draft_mute(const v1::MuteParticipant& cmd, const v1::Participant& who);
Result<Draft> draft_lock(const v1::LockChat& cmd, const v1::Participant& who);
// Slow mode longer than this is a lock, which has its own command.
inline constexpr std::uint32_t kMaxSlowModeMs = 600'000;
// A forum post's address: Discourse's are under 200 bytes; 500 leaves room
// for a long slug while keeping every question's weight in history small.
inline constexpr std::size_t kMaxForumUrlBytes = 500;
// A forum address shown as a link on every page: http(s) only (never
// javascript: or data:), visible ASCII, at most kMaxForumUrlBytes.
Result<void> check_forum_url(const std::string& url, const char* field, bool required);
// The fields set; the panel completes the event with the rest.
Result<Draft> draft_rules(const v1::SetPanelRules& cmd, const v1::Participant& who);
Result<Draft> draft_end(const v1::Participant& who);
// Where a question went in the forum, or an answer given there: moderators
// only (the importer's token); addresses http(s), printable, 500 bytes.
Result<Draft> draft_forum_update(const v1::ForumUpdate& cmd, const v1::Participant& who);

}  // namespace panelwire::core
