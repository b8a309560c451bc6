#pragma once
// The forum's follow-up, told to the panel: where each question was posted
// and the answers given there, as ForumUpdate commands through the relay
// (RelayLink), so every node and page of the panel shows them.
//
// Where a question went: once a post is settled the importer records it
// with its report owed (Ledger), and the report stays owed until the relay
// took it or refused it for good; the importer sends owed reports again
// (Importer::report), so a relay that was down or restarting still learns
// every address.
//
// Answers come in on the answers endpoint (AnswerReceiver) from two kinds
// of sender: Discourse's post_created webhook (a reply to an imported
// post), and a webhook sink's receiver, which calls back with a signed
// Callback. An answer is not kept: when the relay cannot take it now, its
// sender is told 503 and sends it again.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "panelwire/forum/answer_receiver.h"
#include "panelwire/forum/discourse_sink.h"
#include "panelwire/forum/relay_link.h"
#include "panelwire/forum/sink.h"

namespace panelwire::forum {

// What a webhook sink's receiver tells the panel of one leftover, POSTed
// to the answers endpoint and signed like the sink's own requests
// (X-Panelwire-Timestamp, X-Panelwire-Signature with the answers secret):
//   {"leftover_id": "<as it was posted>",
//    "post_url": "https://forum.example.org/...",            (optional)
//    "answer": {"answered_by": "Name", "url": "https://..."}} (optional)
// with post_url, answer or both.
struct Callback {
  std::string leftover_id;
  std::string panel_id;
  v1::ForumUpdate update;  // question_id set
};
// The callback `body` holds, or why it is not one (a line for the sender).
struct ParsedCallback {
  std::optional<Callback> callback;
  std::string error;
};
ParsedCallback parse_callback(std::string_view body);

class FollowUp {
 public:
  // Whether this importer posted a leftover (its ledger, read on the
  // receiver's thread).
  using Posted = std::function<bool(const std::string& leftover_id)>;
  // Who may tell the panel what: with `discourse` (the Discourse sink whose
  // replies are answers), Discourse's webhook; with `posted` (a webhook
  // sink's importer), callbacks, each about a leftover this importer
  // posted. What neither allows is refused (404): a secret that signs one
  // kind of request does not open the other.
  FollowUp(RelayLink& relay, const Sink& sink, const DiscourseSink* discourse, Posted posted = {})
      : relay_(relay), sink_(sink), discourse_(discourse), posted_(std::move(posted)) {}

  // Where `leftover_id` went (post `post_id`), to its panel: true when the
  // report is done with (applied, refused for good, or nothing to say),
  // false when it is still owed.
  bool report(const std::string& leftover_id, const std::string& post_id);

  // One request of the answers endpoint, already authenticated. Safe on the
  // receiver's thread beside report() on the importer's.
  AnswerReply receive(const AnswerRequest& request);

 private:
  AnswerReply from_discourse(const std::string& event, const std::string& body);
  AnswerReply from_callback(const std::string& body);
  // The update applied (200), refused for good (422) or not now (503).
  AnswerReply relay(const std::string& panel, const v1::ForumUpdate& update, std::string_view what);

  RelayLink& relay_;
  const Sink& sink_;
  const DiscourseSink* discourse_;
  Posted posted_;
};

}  // namespace panelwire::forum
