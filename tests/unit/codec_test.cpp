// The wire codec: the same messages in binary protobuf and canonical JSON,
// and a typed MALFORMED for anything else.

#include <gtest/gtest.h>

#include <google/protobuf/util/json_util.h>

#include <string>
#include <vector>

#include "codec.h"
#include "ws_frame.h"

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

// One client message of each command the protocol has, ids and fields set.
std::vector<v1::ClientMessage> every_command() {
  std::vector<v1::ClientMessage> all;
  auto add = [&](const std::string& id) -> v1::ClientMessage& {
    all.emplace_back().set_id(id);
    return all.back();
  };
  auto* hello = add("h").mutable_hello();
  hello->set_panel_id("expert-panel");
  hello->set_display_name("Zo\xc3\xab");
  hello->set_client_id("client-1");
  hello->set_resume_after(0);  // set but zero: distinct from absent
  hello->set_token("a.b.c");
  hello->set_question_order(v1::RECENT);
  add("c").mutable_send_chat()->set_text("\xf0\x9f\x98\x80 \\ \"\n\t/");
  add("d").mutable_delete_chat()->set_chat_seq(18'446'744'073'709'551'615ull);
  add("p").mutable_ping();
  auto* ask = add("q").mutable_ask_question();
  ask->set_text("Why?");
  ask->set_anonymous(true);
  ask->set_addressed_to("Dr. X");
  auto* vote = add("v").mutable_vote();
  vote->set_question_id(7);
  vote->set_withdraw(true);
  auto* mod = add("m").mutable_moderate_question();
  mod->set_question_id(3);
  mod->set_action(v1::MARK_ANSWERED);
  mod->set_answer_text("Because.");
  auto* merge = add("g").mutable_merge_questions();
  merge->set_duplicate_id(4);
  merge->set_into_id(2);
  auto* promote = add("r").mutable_promote_chat();
  promote->set_chat_seq(9);
  promote->set_send_to_forum(true);
  auto* mute = add("u").mutable_mute_participant();
  mute->set_participant_id("bob");
  mute->set_muted(true);
  add("l").mutable_lock_chat()->set_locked(true);
  add("e").mutable_end_panel();
  add("s").mutable_set_panel_rules()->mutable_rules()->set_guest_questions(false);
  return all;
}

std::string to_json(const google::protobuf::Message& m) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out).ok());
  return out;
}

void expect_malformed(const std::string& data, WireFormat format) {
  auto r = decode_client(data, format);
  ASSERT_FALSE(r.has_value()) << testing::PrintToString(data);
  EXPECT_EQ(r.error().code, v1::MALFORMED) << testing::PrintToString(data);
  EXPECT_FALSE(r.error().message.empty());
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

TEST(Codec, EveryCommandRoundTripsThroughBothFormats) {
  for (const auto& m : every_command()) {
    auto from_binary = decode_client(m.SerializeAsString(), WireFormat::proto);
    ASSERT_TRUE(from_binary.has_value()) << m.ShortDebugString();
    EXPECT_EQ(from_binary->SerializeAsString(), m.SerializeAsString());

    auto json = to_json(m);
    auto from_json = decode_client(json, WireFormat::json);
    ASSERT_TRUE(from_json.has_value()) << json;
    EXPECT_EQ(from_json->SerializeAsString(), m.SerializeAsString()) << json;
    EXPECT_EQ(from_json->command_case(), m.command_case()) << json;
  }
}

TEST(Codec, JsonAcceptsTheOriginalFieldNamesToo) {
  auto m =
      decode_client(R"({"id":"h","hello":{"panel_id":"p","resume_after":"5"}})", WireFormat::json);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->hello().panel_id(), "p");
  EXPECT_EQ(m->hello().resume_after(), 5u);
}

TEST(Codec, ResumeAfterZeroIsNotTheSameAsNoResumePoint) {
  // resume_after 0 means "replay from the start"; absent means a fresh join.
  auto zero = decode_client(R"({"hello":{"resumeAfter":"0"}})", WireFormat::json);
  ASSERT_TRUE(zero.has_value());
  EXPECT_TRUE(zero->hello().has_resume_after());
  EXPECT_EQ(zero->hello().resume_after(), 0u);
  auto absent = decode_client(R"({"hello":{"panelId":"p"}})", WireFormat::json);
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->hello().has_resume_after());

  auto binary = decode_client(zero->SerializeAsString(), WireFormat::proto);
  ASSERT_TRUE(binary.has_value());
  EXPECT_TRUE(binary->hello().has_resume_after());
}

TEST(Codec, JsonSixtyFourBitIntegersAsStringsOrNumbers) {
  auto max = decode_client(R"({"hello":{"resumeAfter":"18446744073709551615"}})", WireFormat::json);
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->hello().resume_after(), 18'446'744'073'709'551'615ull);
  auto number = decode_client(R"({"deleteChat":{"chatSeq":12}})", WireFormat::json);
  ASSERT_TRUE(number.has_value());
  EXPECT_EQ(number->delete_chat().chat_seq(), 12u);
}

TEST(Codec, JsonEscapesDecodeToUtf8) {
  auto m = decode_client(R"({"sendChat":{"text":"\u00e9\ud83d\ude00\n"}})", WireFormat::json);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->send_chat().text(), "\xc3\xa9\xf0\x9f\x98\x80\n");
}

TEST(Codec, MalformedInputIsATypedError) {
  for (std::string bad : {std::string("{"), std::string("[]"), std::string("\"text\""),
                          std::string(R"({"id":5,"sendChat":{"text":"a"}})"),
                          std::string(R"({"id":"x","sendChat":{"text":1}})")})
    expect_malformed(bad, WireFormat::json);
  // Field 2 (hello) with a length past the end of the buffer.
  expect_malformed(std::string("\x12\x50\x0a", 3), WireFormat::proto);
}

TEST(Codec, MalformedJsonOfEveryKind) {
  for (std::string bad : {
           std::string(""),                                        // no value at all
           std::string("null"),                                    // not an object
           std::string(R"({"id":"x"} junk)"),                      // trailing bytes
           std::string(R"({"id":"x"}{"id":"y"})"),                 // two messages in one frame
           std::string(R"({"ping":{},"sendChat":{"text":"a"}})"),  // two commands
           std::string(R"({"hello":{"resumeAfter":"-1"}})"),       // negative unsigned
           std::string(R"({"hello":{"resumeAfter":"18446744073709551616"}})"),  // 2^64
           std::string(R"({"deleteChat":{"chatSeq":1.5}})"),                    // fraction
           std::string(R"({"sendChat":{"text":"\ud800"}})"),           // lone surrogate escape
           std::string("{\"sendChat\":{\"text\":\"a\xc0\xaf\"}}"),     // overlong UTF-8
           std::string("{\"sendChat\":{\"text\":\"\xed\xa0\x80\"}}"),  // raw surrogate
           std::string("{\"sendChat\":{\"text\":\"\xe2\x82\"}}"),      // truncated
           std::string(R"({"sendChat":"hello"})"),                     // message given as a string
       })
    expect_malformed(bad, WireFormat::json);
}

TEST(Codec, MalformedBinaryOfEveryKind) {
  // As the server does at start-up: protobuf's complaints go to the logger.
  route_protobuf_logs();
  expect_malformed(std::string("\x0a", 1), WireFormat::proto);        // tag with no length
  expect_malformed(std::string("\xff\xff", 2), WireFormat::proto);    // varint never ends
  expect_malformed(std::string("\x0a\x05hi", 4), WireFormat::proto);  // id cut short
  // A proto3 string must be UTF-8: an overlong '/' in the id.
  expect_malformed(std::string("\x0a\x02\xc0\xaf", 4), WireFormat::proto);
  // A surrogate inside send_chat.text.
  expect_malformed(std::string("\x1a\x05\x0a\x03\xed\xa0\x80", 7), WireFormat::proto);
  // Wire type 7 does not exist.
  expect_malformed(std::string("\x0f\x00", 2), WireFormat::proto);
}

TEST(Codec, AFormatOnlyDecodesItsOwnFrames) {
  // A JSON text sent on the binary subprotocol and the reverse.
  expect_malformed(R"({"id":"c1","ping":{}})", WireFormat::proto);
  v1::ClientMessage m;
  m.set_id("c1");
  m.mutable_send_chat()->set_text("hello");
  expect_malformed(m.SerializeAsString(), WireFormat::json);
}

TEST(Codec, AnEmptyFrameIsAMessageWithoutACommand) {
  // Zero bytes are a valid, empty protobuf message; the session answers
  // UNKNOWN_COMMAND, not MALFORMED. "{}" is the same message in JSON.
  for (auto [data, format] : {std::pair{std::string(), WireFormat::proto},
                              std::pair{std::string("{}"), WireFormat::json}}) {
    auto r = decode_client(data, format);
    ASSERT_TRUE(r.has_value()) << data;
    EXPECT_EQ(r->command_case(), v1::ClientMessage::COMMAND_NOT_SET);
    EXPECT_TRUE(r->id().empty());
  }
}

TEST(Failure, ValueOfAFailedResultThrowsItsMessage) {
  Result<int> r = fail(v1::NOT_FOUND, "no chat message with seq 9");
  try {
    (void)r.value();
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "no chat message with seq 9");
  }
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
  // Field 99, a varint, ahead of the id.
  auto binary = decode_client(std::string("\x98\x06\x01\x0a\x01x", 6), WireFormat::proto);
  ASSERT_TRUE(binary.has_value());
  EXPECT_EQ(binary->id(), "x");
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

  v1::ServerMessage from_json;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &from_json).ok()) << json;
  EXPECT_EQ(from_json.SerializeAsString(), msg.SerializeAsString());
}

TEST(Codec, AcksAndWelcomesUseEnumNamesAndCamelCase) {
  v1::ServerMessage ack;
  ack.mutable_ack()->set_id("c9");
  ack.mutable_ack()->mutable_error()->set_code(v1::TOO_LONG);
  ack.mutable_ack()->mutable_error()->set_retry_after_ms(250);
  EXPECT_EQ(encode(ack, WireFormat::json),
            R"({"ack":{"id":"c9","error":{"code":"TOO_LONG","retryAfterMs":250}}})");

  v1::ServerMessage welcome;
  welcome.mutable_welcome()->set_panel_id("p");
  welcome.mutable_welcome()->set_resume(v1::RESUME_TOO_OLD);
  welcome.mutable_welcome()->add_your_votes(3);
  EXPECT_EQ(encode(welcome, WireFormat::json),
            R"({"welcome":{"panelId":"p","resume":"RESUME_TOO_OLD","yourVotes":["3"]}})");
}

// Rules are optional fields: false and 0 set are not the same as absent,
// in a command and in the event, over JSON too.
TEST(Codec, PanelRulesKeepFalseAndZeroInJson) {
  auto cmd = decode_client(R"({"id":"r","setPanelRules":{"rules":{"guestQuestions":false}}})",
                           WireFormat::json);
  ASSERT_TRUE(cmd.has_value());
  const auto& asked = cmd->set_panel_rules().rules();
  EXPECT_TRUE(asked.has_guest_questions());
  EXPECT_FALSE(asked.guest_questions());
  EXPECT_FALSE(asked.has_pre_moderation());
  EXPECT_FALSE(asked.has_chat_slow_mode_ms());

  v1::ServerMessage ev;
  ev.mutable_event()->set_seq(3);
  auto* rules = ev.mutable_event()->mutable_panel_rules();
  rules->set_pre_moderation(false);
  rules->set_guest_questions(true);
  rules->set_chat_slow_mode_ms(0);
  EXPECT_EQ(encode(ev, WireFormat::json),
            R"({"event":{"seq":"3","panelRules":{"preModeration":false,"guestQuestions":true,)"
            R"("chatSlowModeMs":0}}})");
}

TEST(Codec, AnEmptyServerMessageEncodesToNothingMuch) {
  EXPECT_EQ(encode(v1::ServerMessage(), WireFormat::proto), "");
  EXPECT_EQ(encode(v1::ServerMessage(), WireFormat::json), "{}");
}

TEST(Codec, FramesAreSharedImmutableBuffers) {
  auto msg = sample_event();
  auto f = encode_frame(msg, WireFormat::proto);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(frame_payload(*f), encode(msg, WireFormat::proto));
  EXPECT_EQ(static_cast<unsigned char>((*f)[0]), 0x82) << "final binary frame";
  auto j = encode_frame(msg, WireFormat::json);
  ASSERT_NE(j, nullptr);
  EXPECT_EQ(frame_payload(*j), encode(msg, WireFormat::json));
  EXPECT_EQ(static_cast<unsigned char>((*j)[0]), 0x81) << "final text frame";
  EXPECT_EQ(f.use_count(), 1) << "the frame owns its bytes alone";
}

}  // namespace
}  // namespace panelwire::core
