// The audit trail in the relay's structured log: each applied moderation
// with who did it, what, on what and the seq it got (a retry's line marked
// as such); a refused one and participants' own commands leave no line.

#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "client_commands.h"
#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "audit-test-secret-of-at-least-32-bytes";

// The moderation lines of the log, from `event=moderation` on.
std::vector<std::string> moderation_lines(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto at = line.find("event=moderation ");
    if (at != std::string::npos) out.push_back(line.substr(at));
  }
  return out;
}

TEST(AuditLog, EachAppliedModerationIsOneLineWithWhoWhatWhereAndItsSeq) {
  ServerProcess relay({"--token-secret", kSecret});
  RawClient ann(relay.port()), mo(relay.port());
  ann.join("audited", "Ann");
  const auto mo_id = mo.join("audited", "Mo", "", {},
                             mint_token(PANELWIRE_CLI_BIN, kSecret, "moderator", "Mo", "audited"))
                         .you()
                         .id();

  const auto q1 = ann.command(with_id(ask("first?"), "q1")).seq();
  const auto q2 = ann.command(with_id(ask("first, again?"), "q2")).seq();
  ASSERT_FALSE(ann.chat("c1", "hello").has_error());
  const auto highlight = mo.command(with_id(moderate(q1, v1::HIGHLIGHT), "m1")).seq();
  v1::ClientMessage merge;
  merge.mutable_merge_questions()->set_duplicate_id(q2);
  merge.mutable_merge_questions()->set_into_id(q1);
  const auto merged = mo.command(with_id(merge, "m2")).seq();
  // Refused (no such question): no line.
  EXPECT_TRUE(mo.command(with_id(moderate(99, v1::DISMISS), "m3")).has_error());
  v1::ClientMessage lock;
  lock.mutable_lock_chat()->set_locked(true);
  const auto locked = mo.command(with_id(lock, "m4")).seq();
  // A retry of the lock: applied once; its line says it is a retry.
  EXPECT_EQ(mo.command(with_id(lock, "m4")).seq(), locked);
  const auto ended = mo.command(with_id(end_panel(), "m5")).seq();

  // The ack may come before its line: the log has a thread of its own.
  ASSERT_TRUE(relay.log_shows("event=moderation ", 5)) << relay.log();
  const auto lines = moderation_lines(relay.log());
  const std::string who = "actor=" + mo_id + " role=MODERATOR ";
  ASSERT_EQ(lines.size(), 5u) << relay.log();
  EXPECT_EQ(lines[0], "event=moderation panel=audited seq=" + std::to_string(highlight) + " " +
                          who + "action=highlight target=question:" + std::to_string(q1));
  EXPECT_EQ(lines[1], "event=moderation panel=audited seq=" + std::to_string(merged) + " " + who +
                          "action=merge target=question:" + std::to_string(q2) +
                          ">question:" + std::to_string(q1));
  EXPECT_EQ(lines[2], "event=moderation panel=audited seq=" + std::to_string(locked) + " " + who +
                          "action=lock_chat target=panel");
  EXPECT_EQ(lines[3], "event=moderation panel=audited seq=" + std::to_string(locked) + " " + who +
                          "action=lock_chat target=panel retry=1")
      << "a retry's line, marked, with the first one's seq";
  EXPECT_EQ(lines[4], "event=moderation panel=audited seq=" + std::to_string(ended) + " " + who +
                          "action=end_panel target=panel");
}

}  // namespace
}  // namespace panelwire::test
