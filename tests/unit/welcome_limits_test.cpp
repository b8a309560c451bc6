// The limits a Welcome tells the client are the relay's own.

#include <gtest/gtest.h>

#include "welcome.h"

namespace panelwire::core {
namespace {

TEST(WelcomeLimits, AreTheRelaysOwn) {
  auto l = welcome_limits(ChatLimits{.max_chat_chars = 2'000},
                          QuestionLimits{.max_question_chars = 500, .max_answer_chars = 4'000},
                          64u << 10);
  EXPECT_EQ(l.max_chat_chars(), 2'000u);
  EXPECT_EQ(l.max_question_chars(), 500u);
  EXPECT_EQ(l.max_frame_bytes(), 64u << 10);

  auto small = welcome_limits(ChatLimits{.max_chat_chars = 10},
                              QuestionLimits{.max_question_chars = 20}, 4096);
  EXPECT_EQ(small.max_chat_chars(), 10u);
  EXPECT_EQ(small.max_question_chars(), 20u);
  EXPECT_EQ(small.max_frame_bytes(), 4096u);
}

TEST(WelcomeLimits, GoOutInTheWelcome) {
  WelcomeContext ctx{"expert-panel",
                     {},
                     v1::POPULAR,
                     welcome_limits(ChatLimits{.max_chat_chars = 10},
                                    QuestionLimits{.max_question_chars = 20}, 4096)};
  auto w = make_welcome(ctx, Backlog{});
  EXPECT_EQ(w.limits().max_chat_chars(), 10u);
  EXPECT_EQ(w.limits().max_question_chars(), 20u);
  EXPECT_EQ(w.limits().max_frame_bytes(), 4096u);
}

}  // namespace
}  // namespace panelwire::core
