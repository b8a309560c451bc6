// The panel catalog: what a deployment's panel list may say, and what an
// open (quickstart) catalog does.

#include <gtest/gtest.h>

#include "panel_catalog.h"

namespace panelwire::core {
namespace {

TEST(PanelCatalog, OpenCatalogMakesAnyPanelWithDefaults) {
  PanelCatalog open;
  auto s = open.find("anything");
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->guests_allowed);
  EXPECT_FALSE(s->pre_moderation);
}

TEST(PanelCatalog, ListedPanelsOnly) {
  auto c = PanelCatalog::parse(R"({"panels":[
      {"id":"nov-panel","title":"Mentoring in Research","forum_thread":"https://forum.example/t/42",
       "guests_allowed":false,"pre_moderation":true},
      {"id":"dec-panel"}]})");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->size(), 2u);
  auto nov = c->find("nov-panel");
  ASSERT_TRUE(nov.has_value());
  EXPECT_EQ(nov->title, "Mentoring in Research");
  EXPECT_EQ(nov->forum_thread, "https://forum.example/t/42");
  EXPECT_FALSE(nov->guests_allowed);
  EXPECT_TRUE(nov->pre_moderation);
  EXPECT_TRUE(c->find("dec-panel")->guests_allowed) << "defaults for fields left out";
  auto by_id = PanelCatalog::parse(R"({"panels":[{"id":"a","forum_thread":"1234"}]})");
  ASSERT_TRUE(by_id.has_value()) << "a topic id is for the importer";
  auto missing = c->find("jan-panel");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, v1::UNKNOWN_PANEL);
}

TEST(PanelCatalog, BadListsSayWhatIsWrong) {
  for (auto bad :
       {"", "{", "[]", R"({"panels":{}})", R"({"panels":[1]})", R"({"panels":[{"title":"no id"}]})",
        R"({"panels":[{"id":"bad id"}]})", R"({"panels":[{"id":"a","title":7}]})",
        R"({"panels":[{"id":"a","guests_allowed":"yes"}]})",
        R"({"panels":[{"id":"a"},{"id":"a"}]})",
        // A thread named by an address is linked on the pages: http(s) only.
        R"({"panels":[{"id":"a","forum_thread":"javascript://x%0Aalert%281%29"}]})",
        R"({"panels":[{"id":"a","forum_thread":"https://forum.example/t/a b"}]})"}) {
    auto c = PanelCatalog::parse(bad);
    ASSERT_FALSE(c.has_value()) << bad;
    EXPECT_EQ(c.error().code, v1::INVALID_ARGUMENT);
    EXPECT_EQ(c.error().message.rfind("panels: ", 0), 0u) << c.error().message;
  }
}

TEST(PanelCatalog, APanelReservesNamesForItsHosts) {
  auto c = PanelCatalog::parse(R"({"panels":[
      {"id":"nov-panel","reserved_names":["Dr. Alberts","Jackie Wheeler"]},
      {"id":"dec-panel"}]})");
  ASSERT_TRUE(c.has_value()) << c.error().message;
  const auto& nov = c->reserved_names("nov-panel");
  EXPECT_TRUE(nov.reserves("Dr. A1berts"));
  EXPECT_TRUE(nov.reserves("JACKIE WHEELER"));
  EXPECT_TRUE(nov.reserves("Moderator")) << "the role words too";
  EXPECT_FALSE(c->reserved_names("dec-panel").reserves("Dr. Alberts")) << "per panel";
  EXPECT_TRUE(c->reserved_names("dec-panel").reserves("Host"));
  EXPECT_TRUE(c->reserved_names("jan-panel").reserves("Admin")) << "unknown panel: role words";
  EXPECT_TRUE(PanelCatalog{}.reserved_names("any").reserves("moderator")) << "open catalog";
}

TEST(PanelCatalog, BadReservedNamesSayWhatIsWrong) {
  std::string many = R"({"panels":[{"id":"a","reserved_names":[)";
  for (std::size_t i = 0; i <= kMaxReservedNames; ++i)
    many += (i ? ",\"n" : "\"n") + std::to_string(i) + "\"";
  many += "]}]}";
  for (const std::string& bad :
       {std::string(R"({"panels":[{"id":"a","reserved_names":"Ann"}]})"),
        std::string(R"({"panels":[{"id":"a","reserved_names":[7]}]})"),
        std::string(R"({"panels":[{"id":"a","reserved_names":["\u200b"]}]})"),
        std::string(R"({"panels":[{"id":"a","reserved_names":["..."]}]})"), many}) {
    auto c = PanelCatalog::parse(bad);
    ASSERT_FALSE(c.has_value()) << bad;
    EXPECT_EQ(c.error().code, v1::INVALID_ARGUMENT);
    EXPECT_NE(c.error().message.find("panel a"), std::string::npos) << c.error().message;
  }
}

}  // namespace
}  // namespace panelwire::core
