// `panelwire transcript` and `panelwire audit` against the real relay: a
// scripted panel, then its record in each format as a moderator reads it.
// Anonymous askers stay anonymous, deleted messages are left out, and every
// moderation is a line, in order, with who did it.

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "client_commands.h"
#include "raw_client.h"
#include "server_process.h"
#include "tool_run.h"

namespace panelwire::test {
namespace {

const std::string kSecret = "record-test-secret-of-at-least-32-bytes";

class Record : public ::testing::Test {
 protected:
  ToolResult cli(const std::string& command, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {command, "--url",   relay_.ws_url(), "--panel",
                                     "rec",   "--token", mo_token_};
    args.insert(args.end(), more.begin(), more.end());
    return run_tool(PANELWIRE_CLI_BIN, args, "");
  }

  ServerProcess relay_{{"--token-secret", kSecret}};
  std::string mo_token_ = mint_token(PANELWIRE_CLI_BIN, kSecret, "moderator", "Mo", "rec");
};

TEST_F(Record, TheTranscriptAndTheAuditOfAPanel) {
  RawClient ann(relay_.port()), bob(relay_.port()), mo(relay_.port());
  ann.join("rec", "Ann");
  const auto bob_id = bob.join("rec", "Bob").you().id();
  const auto mo_id = mo.join("rec", "Mo", "", {}, mo_token_).you().id();

  ASSERT_FALSE(ann.chat("c1", "hello, panel").has_error());
  const auto gone = bob.chat("c2", "a message the moderator deletes").seq();
  const auto secret =
      ann.command(with_id(ask("Who funds this, asked anonymously?", true), "q1")).seq();
  const auto open = bob.command(with_id(ask("How do we start?"), "q2")).seq();
  v1::ClientMessage del;
  del.mutable_delete_chat()->set_chat_seq(gone);
  const auto deleted = mo.command(with_id(del, "m1")).seq();
  v1::ClientMessage hl;
  hl.mutable_moderate_question()->set_question_id(open);
  hl.mutable_moderate_question()->set_action(v1::HIGHLIGHT);
  const auto highlighted = mo.command(with_id(hl, "m2")).seq();
  v1::ClientMessage mute;
  mute.mutable_mute_participant()->set_participant_id(bob_id);
  mute.mutable_mute_participant()->set_muted(true);
  const auto muted = mo.command(with_id(mute, "m3")).seq();
  const auto ended = mo.command(with_id(end_panel(), "m4")).seq();

  auto md = cli("transcript");
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("**Ann**: hello, panel"), std::string::npos) << md.out;
  EXPECT_EQ(md.out.find("deletes"), std::string::npos) << "a deleted message is left out";
  EXPECT_NE(md.out.find("Who funds this, asked anonymously?"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("- Asked by an attendee\n"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("- Asked by Bob\n- answering, 0 votes"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("## Continued in the forum"), std::string::npos);

  auto js = cli("transcript", {"--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  auto doc = boost::json::parse(js.out).as_object();
  ASSERT_EQ(doc.at("chat").as_array().size(), 1u);
  EXPECT_EQ(doc.at("chat").as_array()[0].at("text").as_string(), "hello, panel");
  const auto& qs = doc.at("questions").as_array();
  ASSERT_EQ(qs.size(), 2u);
  EXPECT_EQ(qs[0].at("id").as_int64(), static_cast<std::int64_t>(secret));
  EXPECT_EQ(qs[0].at("asked_by").as_string(), "an attendee");
  EXPECT_EQ(qs[0].at("anonymous").as_bool(), true);
  EXPECT_EQ(qs[1].at("asked_by").as_string(), "Bob");
  EXPECT_EQ(qs[1].at("state").as_string(), "answering");
  EXPECT_EQ(doc.at("ended").as_bool(), true);
  // Nowhere in any format is the anonymous asker named beside the question.
  EXPECT_EQ(js.out.find("\"asked_by\":\"Ann\""), std::string::npos);

  auto csv = cli("transcript", {"--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "kind,id,time,author,text,state,votes,answer,merged_into\r");
  EXPECT_NE(csv.out.find(",\"an attendee\",\"Who funds this, asked anonymously?\",open,0,"),
            std::string::npos)
      << csv.out;
  EXPECT_EQ(csv.out.find("deletes"), std::string::npos);

  auto audit = cli("audit");
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  std::vector<std::string> lines;
  for (std::size_t at = 0, end; (end = audit.out.find('\n', at)) != std::string::npos; at = end + 1)
    lines.push_back(audit.out.substr(at, end - at));
  ASSERT_EQ(lines.size(), 4u) << audit.out;
  // "#<seq> <time> Mo (moderator, <id>) <what>", the time left out here.
  auto what = [](const std::string& line) {
    const auto time = line.find(' ');
    return line.substr(0, time) + line.substr(line.find(' ', time + 1));
  };
  const auto by = " Mo (moderator, " + mo_id + ") ";
  EXPECT_EQ(what(lines[0]), "#" + std::to_string(deleted) + by + "deleted chat #" +
                                std::to_string(gone) + " by Bob");
  EXPECT_EQ(what(lines[1]), "#" + std::to_string(highlighted) + by + "highlighted question #" +
                                std::to_string(open));
  EXPECT_EQ(what(lines[2]), "#" + std::to_string(muted) + by + "muted Bob (" + bob_id + ")");
  EXPECT_EQ(what(lines[3]), "#" + std::to_string(ended) + by + "ended the panel");
}

TEST_F(Record, AnUnknownFormatIsAUsageErrorAndAPanelWithoutEventsHasAnEmptyAudit) {
  auto bad = cli("transcript", {"--format", "pdf"});
  EXPECT_EQ(bad.exit_code, 64) << bad.err;
  auto empty = cli("audit");
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "");
}

}  // namespace
}  // namespace panelwire::test
