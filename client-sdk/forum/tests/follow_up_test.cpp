// What the panel is told after it ends: a webhook receiver's callback read
// or refused with its reason, which relay errors are worth sending again,
// and the file ledger keeping owed reports across restarts and torn lines.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "panelwire/forum/follow_up.h"
#include "panelwire/forum/ledger.h"

namespace panelwire::forum {
namespace {

TEST(Callback, AReceiverSaysWhereAQuestionWentAndWhoAnsweredIt) {
  const auto both = parse_callback(
      R"({"leftover_id": "webinar-7/1764763200000/12", "post_url": "https://forum.example.org/node/5",
          "answer": {"answered_by": "Bruce Alberts", "url": "https://forum.example.org/comment/9"}})");
  ASSERT_TRUE(both.callback) << both.error;
  EXPECT_EQ(both.callback->panel_id, "webinar-7");
  EXPECT_EQ(both.callback->update.question_id(), 12u);
  EXPECT_EQ(both.callback->update.post_url(), "https://forum.example.org/node/5");
  EXPECT_EQ(both.callback->update.answer().answered_by(), "Bruce Alberts");
  EXPECT_EQ(both.callback->update.answer().url(), "https://forum.example.org/comment/9");

  const auto link = parse_callback(R"({"leftover_id": "p/3", "post_url": "https://f.example/3"})");
  ASSERT_TRUE(link.callback) << "an older id names the panel and question too";
  EXPECT_FALSE(link.callback->update.has_answer());
}

TEST(Callback, EachMalformedOneIsRefusedWithWhatIsWrong) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not a JSON object"},
      {R"(["p/1/2"])", "not a JSON object"},
      {R"({"post_url": "https://f.example/1"})", "leftover_id"},
      {R"({"leftover_id": 12, "post_url": "https://f.example/1"})", "leftover_id is not a string"},
      {R"({"leftover_id": "no-slash", "post_url": "https://f.example/1"})", "leftover_id"},
      {R"({"leftover_id": "p/1/0", "post_url": "https://f.example/1"})", "leftover_id"},
      {R"({"leftover_id": "p/1/2"})", "post_url, answer or both"},
      {R"({"leftover_id": "p/1/2", "post_url": 7})", "post_url is not a string"},
      {R"({"leftover_id": "p/1/2", "answer": "yes"})", "answer is not an object"},
      {R"({"leftover_id": "p/1/2", "answer": {"answered_by": "Bo"}})", "answered_by and url"},
      {R"({"leftover_id": "p/1/2", "answer": {"answered_by": "Bo", "url": ["x"]}})",
       "url is not a string"},
      {R"({"leftover_id": "p/1/2", "post_url": ")" + std::string(5000, 'a') + "\"}",
       "at most 4096 bytes"},
  };
  for (const auto& [body, why] : cases) {
    const auto parsed = parse_callback(body);
    EXPECT_FALSE(parsed.callback) << body;
    EXPECT_NE(parsed.error.find(why), std::string::npos) << body << " -> " << parsed.error;
  }
}

TEST(RelayErrors, OnlyABusyOrUnreadyRelayIsAskedAgain) {
  for (auto code : {v1::RATE_LIMITED, v1::UNAVAILABLE, v1::INTERNAL, v1::RESOURCE_EXHAUSTED,
                    v1::UNAUTHENTICATED})
    EXPECT_TRUE(worth_retrying(code)) << v1::ErrorCode_Name(code);
  for (auto code : {v1::INVALID_ARGUMENT, v1::TOO_LONG, v1::FORBIDDEN, v1::NOT_FOUND,
                    v1::UNKNOWN_PANEL, v1::INVALID_STATE, v1::MALFORMED, v1::UNKNOWN_COMMAND})
    EXPECT_FALSE(worth_retrying(code)) << v1::ErrorCode_Name(code);
}

class FileLedgerTest : public ::testing::Test {
 protected:
  std::string path_ = (std::filesystem::temp_directory_path() /
                       ("ledger-" + std::to_string(::getpid()) + "-" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                          .string();
  void SetUp() override { std::filesystem::remove(path_); }
  void TearDown() override { std::filesystem::remove(path_); }
};

using Owed = std::vector<std::pair<std::string, std::string>>;

TEST_F(FileLedgerTest, AnOwedReportOutlivesARestartUntilItIsReported) {
  {
    FileLedger l(path_);
    l.attempt("p/1/1");
    l.record("p/1/1", "501", true);
    l.record("p/1/2", "502", true);
    l.record("p/1/3", "503");  // nothing to report
    EXPECT_EQ(l.unreported(10), (Owed{{"p/1/1", "501"}, {"p/1/2", "502"}}));
    l.reported("p/1/1");
  }
  FileLedger again(path_);
  EXPECT_EQ(again.posted("p/1/1"), "501");
  EXPECT_FALSE(again.attempted("p/1/1")) << "settled";
  EXPECT_EQ(again.unreported(10), (Owed{{"p/1/2", "502"}}));
  again.reported("p/1/2");
  EXPECT_TRUE(again.unreported(10).empty());
  EXPECT_TRUE(FileLedger(path_).unreported(10).empty());
}

TEST_F(FileLedgerTest, OwedReportsComeAFewAtATimeEachInTurn) {
  FileLedger l(path_);
  for (int i = 1; i <= 5; ++i) l.record("p/1/" + std::to_string(i), std::to_string(i), true);
  EXPECT_EQ(l.unreported(2), (Owed{{"p/1/1", "1"}, {"p/1/2", "2"}}));
  // Neither was reported (the relay was down): the others come first next.
  EXPECT_EQ(l.unreported(2), (Owed{{"p/1/3", "3"}, {"p/1/4", "4"}}));
  EXPECT_EQ(l.unreported(2), (Owed{{"p/1/5", "5"}, {"p/1/1", "1"}}));
  EXPECT_TRUE(l.unreported(0).empty());
}

TEST_F(FileLedgerTest, WhenAllFitInARoundTheFirstAskedForGoesLastNextTime) {
  FileLedger l(path_);
  for (int i = 1; i <= 3; ++i) l.record("p/1/" + std::to_string(i), std::to_string(i), true);
  EXPECT_EQ(l.unreported(16), (Owed{{"p/1/1", "1"}, {"p/1/2", "2"}, {"p/1/3", "3"}}));
  // p/1/1 failed (a panel the relay keeps refusing): the others go first.
  EXPECT_EQ(l.unreported(16), (Owed{{"p/1/2", "2"}, {"p/1/3", "3"}, {"p/1/1", "1"}}));
}

TEST_F(FileLedgerTest, ATornLastLineIsNotAReport) {
  {
    FileLedger l(path_);
    l.record("p/1/1", "501", true);
  }
  std::ofstream(path_, std::ios::app) << R"({"leftover_id":"p/1/1","repor)";
  FileLedger again(path_);
  EXPECT_EQ(again.unreported(10), (Owed{{"p/1/1", "501"}})) << "still owed";
}

}  // namespace
}  // namespace panelwire::forum
