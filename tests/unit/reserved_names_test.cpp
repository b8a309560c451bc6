// Reserved names: what a guest may not call themselves, compared by look;
// and the name each participant joins under.

#include <gtest/gtest.h>

#include "test_support.h"

#include "participant_name.h"
#include "reserved_names.h"

namespace panelwire::core {
namespace {

using testing_support::ok;

ReservedNames panel_names() {
  ReservedNames r;
  EXPECT_TRUE(r.add("Dr. Alberts").has_value());
  EXPECT_TRUE(r.add("Jackie Wheeler").has_value());
  return r;
}

TEST(ReservedNames, WordsAreFoldedSkeletonizedAndSplit) {
  using W = std::vector<std::string>;
  EXPECT_EQ(name_words("Dr. Alberts"), (W{"dr", "alberts"}));
  EXPECT_EQ(name_words("DR ALBERTS"), name_words("dr alberts"));
  EXPECT_EQ(name_words("Dr. A1berts"), name_words("Dr. Alberts")) << "1 looks like l";
  EXPECT_EQ(name_words("Ⅾr. Аlberts"), name_words("Dr. Alberts")) << "Roman numeral, Cyrillic А";
  EXPECT_EQ(name_words("Dr. Älbérts"), name_words("Dr. Alberts")) << "accents do not count";
  EXPECT_EQ(name_words("ＭＯＤＥＲＡＴＯＲ"), name_words("moderator")) << "fullwidth";
  EXPECT_EQ(name_words("Moderator1"), name_words("moderator l")) << "trailing digits stand alone";
  EXPECT_EQ(name_words("modern"), name_words("rnodern")) << "m looks like rn";
  EXPECT_TRUE(name_words("...").empty());
}

TEST(ReservedNames, RoleWordsAreRefusedInEveryDisguise) {
  const auto& r = ReservedNames::fixed();
  for (auto name : {"Moderator",
                    "MODERATOR",
                    "moderator",
                    "Mod\u0435rator" /* Cyrillic е */,
                    "M0derat0r",
                    "Moderat0r",
                    "The Moderator",
                    "moderator_bob",
                    "Moderator1",
                    "Moderator 2",
                    "TheModerator",
                    "M o d e r a t o r",
                    "m.o.d.e.r.a.t.o.r",
                    "Mödërätör",
                    "Host",
                    "HOST",
                    "Our Host",
                    "Admin",
                    "ADMlN",
                    "AdmIn",
                    "MODERAT0R",
                    "HOS\u0422",
                    "0rganizer",
                    "Staff",
                    "Panelist",
                    "Pane|ist",
                    "PanelWire Support",
                    "Organiser",
                    "Organizer Team",
                    "Co-Host",
                    "Speaker",
                    "Presenter",
                    "System",
                    "ＭＯＤＥＲＡＴＯＲ"}) {
    EXPECT_TRUE(r.reserves(name)) << name;
  }
}

TEST(ReservedNames, OrdinaryNamesThatHoldAShortRoleWordPass) {
  const auto& r = ReservedNames::fixed();
  for (auto name : {"Ghost", "Hostetler", "Stafford", "Badminton Fan", "Ann", "Jackie Wheeler",
                    "Dr. Alberts", "Modesty Blaise", "Systema", "Admiral Ackbar", "Supporto"})
    EXPECT_FALSE(r.reserves(name)) << name;
}

TEST(ReservedNames, APanelsNamesAreRefusedByLookToo) {
  auto r = panel_names();
  for (auto name :
       {"Dr. Alberts", "dr alberts", "Dr. A1berts", "Dr. AIberts", "DR. ALBERTS", "DR. AIBERTS",
        "Dr Alberts", "Jackle Wheeler", "DrAlberts", "Dr. Alberts (panelist)", "Dr. Älberts",
        "Dr.Alberts", "Jackie Wheeler", "JACKIE  WHEELER", "Jackie Wheeler 2", "Moderator"})
    EXPECT_TRUE(r.reserves(name)) << name;
  for (auto name : {"Alberts", "Dr. Albertson", "Jackie", "Ann Wheeler", "Dr. Roberts"})
    EXPECT_FALSE(r.reserves(name)) << name;
  EXPECT_EQ(*r.match("Dr. A1berts"), "Dr. Alberts") << "the reserved name, as given";
  EXPECT_EQ(*r.match("MODERATOR"), "moderator");
}

TEST(ReservedNames, ANameWithNothingToCompareIsRefused) {
  ReservedNames r;
  auto added = r.add("...");
  ASSERT_FALSE(added.has_value());
  EXPECT_EQ(added.error().code, v1::INVALID_ARGUMENT);
}

v1::Participant participant(const std::string& name, v1::Role role = v1::ATTENDEE) {
  v1::Participant p;
  p.set_id("guest:0123");
  p.set_display_name(name);
  p.set_role(role);
  return p;
}

TEST(ParticipantName, AGuestGetsACleanNameOrATypedRefusal) {
  auto r = panel_names();
  auto ann = ok(admit_participant(participant("  Ann\u202E\u200B  Lee "), true, r));
  EXPECT_EQ(ann.display_name(), "Ann Lee");
  EXPECT_EQ(ann.id(), "guest:0123");
  EXPECT_EQ(ann.role(), v1::ATTENDEE);

  for (auto name : {"MODERATOR", "Moderat\u200Bor", "Dr. A1berts", "\u202EDr. Alberts"}) {
    auto refused = admit_participant(participant(name), true, r);
    ASSERT_FALSE(refused.has_value()) << name;
    EXPECT_EQ(refused.error().code, v1::NAME_RESERVED) << name;
    EXPECT_NE(refused.error().message.find("choose another name"), std::string::npos);
  }
  for (const std::string& name :
       {std::string(), std::string("\u200B\u200B"), std::string(65, 'x')}) {
    auto refused = admit_participant(participant(name), true, r);
    ASSERT_FALSE(refused.has_value()) << name;
    EXPECT_EQ(refused.error().code, v1::INVALID_ARGUMENT) << name;
  }
}

TEST(ParticipantName, ATokenKeepsItsNameCleanedNeverRefused) {
  auto r = panel_names();
  auto mod = ok(admit_participant(participant("Moderator\u202E", v1::MODERATOR), false, r));
  EXPECT_EQ(mod.display_name(), "Moderator");
  EXPECT_EQ(mod.role(), v1::MODERATOR);
  auto pan = ok(admit_participant(participant("Dr. Alberts", v1::PANELIST), false, r));
  EXPECT_EQ(pan.display_name(), "Dr. Alberts") << "the panelist themselves";
  auto blank = ok(admit_participant(participant("\u200B", v1::PANELIST), false, r));
  EXPECT_EQ(blank.display_name(), "Panelist") << "nothing left: the role's name";
  std::string decomposing;
  for (int i = 0; i < 64; ++i) decomposing += "\u0958";  // NFC: two code points each
  auto cut = ok(admit_participant(participant(decomposing), false, r));
  EXPECT_EQ(cut.display_name().size(), 64u * 3) << "cut at 64 characters";
}

}  // namespace
}  // namespace panelwire::core
