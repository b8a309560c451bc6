// A panel's events: immutable, shared, serialized once per format and view,
// and weighed for the history budget.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "panel_event.h"
#include "ws_frame.h"

namespace panelwire::core {
namespace {

TEST(PanelEvent, FramesCarryTheEventAndAreBuiltOnce) {
  v1::Event e;
  e.set_seq(3);
  e.mutable_chat_posted()->set_text("hi");
  auto ev = make_event("p", e);
  for (auto format : {WireFormat::proto, WireFormat::json}) {
    auto f = ev->frame(format);
    v1::ServerMessage expected;
    *expected.mutable_event() = e;
    EXPECT_EQ(*f, encode_wire(expected, format));
    EXPECT_EQ(frame_payload(*f), encode(expected, format)) << "one whole frame around the message";
    EXPECT_EQ(ev->frame(format).get(), f.get()) << "serialized once, then shared";
  }
  EXPECT_NE(ev->frame(WireFormat::proto).get(), ev->frame(WireFormat::json).get());
}

TEST(PanelEvent, AFrameKeepsItsEventAlive) {
  v1::Event e;
  e.set_seq(1);
  e.mutable_chat_posted()->set_text(std::string(64, 'z'));
  auto ev = make_event("p", e);
  auto f = ev->frame(WireFormat::json);
  std::weak_ptr<const PanelEvent> watch = ev;
  ev.reset();
  EXPECT_FALSE(watch.expired()) << "a queued frame must not dangle";
  EXPECT_NE(f->find(std::string(64, 'z')), std::string::npos);
  f.reset();
  EXPECT_TRUE(watch.expired());
}

TEST(PanelEvent, WeightGrowsWithTheContent) {
  v1::Event e;
  e.mutable_chat_posted()->set_text("a");
  auto small = make_event("p", e)->weight();
  e.mutable_chat_posted()->set_text(std::string(1001, 'a'));
  auto big = make_event("p", e)->weight();
  EXPECT_GE(big - small, 1000u) << "history budgets must see the text";
  EXPECT_GT(make_event("a-longer-panel-id", e)->weight(), big);
}

// The history budget counts what an event really comes to hold: every
// frame it may cache, including JSON that writes each control character in
// six bytes.
TEST(PanelEvent, WeightCoversEveryFrameItMayCache) {
  for (const std::string& text :
       {std::string(2000, '\x01'), std::string(2000, 'x'), std::string(500, '<'),
        std::string("\xe2\x80\xa8", 3) + "ok", std::string(40, '"')}) {
    v1::Event e;
    e.set_seq(9);
    e.mutable_chat_posted()->set_text(text);
    e.mutable_chat_posted()->mutable_author()->set_display_name("Ann\x01");
    auto ev = make_event("p", e);
    std::size_t cached = 0;
    for (auto format : {WireFormat::proto, WireFormat::json})
      for (auto view : {View::full, View::public_copy}) cached += ev->frame(format, view)->size();
    // Chat has nothing to redact: both views share one frame per format.
    cached -= ev->frame(WireFormat::proto)->size() + ev->frame(WireFormat::json)->size();
    EXPECT_GE(ev->weight(), cached + e.SpaceUsedLong()) << text.substr(0, 8);
  }
}

}  // namespace
}  // namespace panelwire::core
