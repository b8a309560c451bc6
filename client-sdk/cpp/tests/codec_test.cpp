#include "panelwire/client/codec.h"

#include <gtest/gtest.h>

namespace panelwire::client {
namespace {

TEST(ClientCodec, ClientMessageInBothFormats) {
  v1::ClientMessage m;
  m.set_id("7");
  m.mutable_hello()->set_panel_id("demo");
  m.mutable_hello()->set_display_name("Ann");
  m.mutable_hello()->set_resume_after(42);
  EXPECT_EQ(encode(m, WireFormat::json),
            R"({"id":"7","hello":{"panelId":"demo","displayName":"Ann","resumeAfter":"42"}})");
  v1::ClientMessage back;
  ASSERT_TRUE(back.ParseFromString(encode(m, WireFormat::proto)));
  EXPECT_EQ(back.hello().resume_after(), 42u);
}

TEST(ClientCodec, DecodesServerMessages) {
  auto json = decode(R"({"event":{"seq":"5","chatPosted":{"text":"hi"}},"futureField":1})",
                     WireFormat::json);
  ASSERT_TRUE(json);
  EXPECT_EQ(json->event().seq(), 5u);
  EXPECT_EQ(json->event().chat_posted().text(), "hi");

  v1::ServerMessage s;
  s.mutable_ack()->set_id("x");
  auto proto = decode(s.SerializeAsString(), WireFormat::proto);
  ASSERT_TRUE(proto);
  EXPECT_EQ(proto->ack().id(), "x");

  EXPECT_FALSE(decode("{", WireFormat::json));
  EXPECT_FALSE(decode(std::string("\xff\xff\xff", 3), WireFormat::proto));
}

TEST(ClientCodec, SubprotocolsAndLocalErrors) {
  EXPECT_EQ(subprotocol(WireFormat::proto), "panelwire.v1.proto");
  EXPECT_EQ(subprotocol(WireFormat::json), "panelwire.v1.json");
  auto a = local_error("c1", v1::UNAVAILABLE, "offline");
  EXPECT_EQ(a.id(), "c1");
  EXPECT_EQ(a.error().code(), v1::UNAVAILABLE);
}

}  // namespace
}  // namespace panelwire::client
