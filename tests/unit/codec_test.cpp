// The wire codec: the same messages in binary protobuf and canonical JSON,
// and a typed MALFORMED for anything else.

#include <gtest/gtest.h>

#include "codec.h"

namespace panelwire::core {
namespace {

v1::ServerMessage sample_event() {
  v1::ServerMessage m;
  auto* ev = m.mutable_event();
  ev->set_seq(42);
  ev->set_at_ms(1'700'000'000'123);
  auto* chat = ev->mutable_chat_posted();
  chat->set_text("caf\xc3\xa9 \"quoted\" <b>");
  chat->mutable_author()->set_display_name("Ann");
  chat->mutable_author()->set_role(v1::MODERATOR);
  return m;
}

TEST(Codec, DecodesAClientMessageInBothFormats) {
  v1::ClientMessage m;
  m.set_id("c7");
  m.mutable_send_chat()->set_text("hello");
  std::string binary;
  ASSERT_TRUE(m.SerializeToString(&binary));

  auto from_binary = decode_client(binary, WireFormat::proto);
  ASSERT_TRUE(from_binary.has_value());
  EXPECT_EQ(from_binary->id(), "c7");
  EXPECT_EQ(from_binary->send_chat().text(), "hello");

  auto from_json = decode_client(R"({"id":"c7","sendChat":{"text":"hello"}})", WireFormat::json);
  ASSERT_TRUE(from_json.has_value());
  EXPECT_EQ(from_json->SerializeAsString(), binary);
}

TEST(Codec, JsonAcceptsTheOriginalFieldNamesToo) {
  auto m =
      decode_client(R"({"id":"h","hello":{"panel_id":"p","resume_after":"5"}})", WireFormat::json);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->hello().panel_id(), "p");
  EXPECT_EQ(m->hello().resume_after(), 5u);
}

TEST(Codec, MalformedInputIsATypedError) {
  for (std::string bad : {std::string("{"), std::string("[]"), std::string("\"text\""),
                          std::string(R"({"id":5,"sendChat":{"text":"a"}})"),
                          std::string(R"({"id":"x","sendChat":{"text":1}})")}) {
    auto r = decode_client(bad, WireFormat::json);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, v1::MALFORMED) << bad;
    EXPECT_FALSE(r.error().message.empty());
  }
  // Field 2 (hello) with a length past the end of the buffer.
  auto r = decode_client(std::string("\x12\x50\x0a", 3), WireFormat::proto);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, v1::MALFORMED);
}

TEST(Codec, UnknownJsonFieldsAreSkippedLikeUnknownBinaryFields) {
  // A newer client's extra field must not break an older server.
  auto m = decode_client(R"({"id":"x","futureField":1,"ping":{}})", WireFormat::json);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->has_ping());
  auto unknown = decode_client(R"({"id":"x","futureCommand":{}})", WireFormat::json);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->command_case(), v1::ClientMessage::COMMAND_NOT_SET)
      << "left for the session to answer UNKNOWN_COMMAND";
}

TEST(Codec, EncodedEventsRoundTripInBothFormats) {
  auto msg = sample_event();
  v1::ServerMessage back;
  ASSERT_TRUE(back.ParseFromString(encode(msg, WireFormat::proto)));
  EXPECT_EQ(back.SerializeAsString(), msg.SerializeAsString());

  auto json = encode(msg, WireFormat::json);
  EXPECT_NE(json.find(R"("seq":"42")"), std::string::npos)
      << "64-bit ints are JSON strings: " << json;
  EXPECT_NE(json.find(R"("chatPosted")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("role":"MODERATOR")"), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one message per frame, no pretty-printing";
}

TEST(Codec, FramesAreSharedImmutableBuffers) {
  auto msg = sample_event();
  auto f = encode_frame(msg, WireFormat::proto);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, encode(msg, WireFormat::proto));
}

}  // namespace
}  // namespace panelwire::core
