#include "one_shot.h"

#include <functional>
#include <iostream>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/program_options.hpp>

#include "cli_args.h"
#include "event_format.h"
#include "panel_record.h"
#include "panelwire/client/client.h"

namespace panelwire::cli {

namespace asio = boost::asio;
namespace po = boost::program_options;

namespace {

// What every one-shot command takes.
struct Common {
  std::vector<std::string> urls;
  std::string panel, token, name = "Command line", client_id;
  bool json = false;
};

void add_common(po::options_description& desc, Common& c) {
  desc.add_options()("help", "show this help")(
      "url", po::value(&c.urls)->composing(),
      "relay WebSocket URL (default ws://127.0.0.1:8080/v1/ws)")(
      "panel", po::value(&c.panel)->required(), "panel id")(
      "token", po::value(&c.token), "participant token (see `panelwire token`)")(
      "name", po::value(&c.name), "display name when joining as a guest")(
      "client-id", po::value(&c.client_id), "a guest's stable id across runs (random if unset)")(
      "json", po::bool_switch(&c.json), "use the JSON subprotocol");
}

// The client of a one-shot command: one connection, no reconnect.
client::Options options_of(const Common& c) {
  client::Options o;
  o.urls = c.urls.empty() ? std::vector<std::string>{"ws://127.0.0.1:8080/v1/ws"} : c.urls;
  o.panel_id = c.panel;
  o.display_name = c.name;
  o.token = c.token;
  o.client_id = c.client_id;
  o.format = c.json ? client::WireFormat::json : client::WireFormat::proto;
  o.reconnect = false;
  return o;
}

// Parses `args` into the variables `desc` names; an exit code when the
// command should stop now.
std::optional<int> parse(const std::vector<std::string>& args, const po::options_description& desc,
                         const po::positional_options_description& pos, const char* command) {
  po::variables_map vm;
  return parse_args(args, desc, pos, command, vm);
}

// Joins, sends `command` (none: stops at the Welcome) and hands the Welcome
// and the ack to the callbacks. Returns the exit code.
int run_once(const Common& c, std::optional<v1::ClientMessage> command,
             std::function<void(const v1::Welcome&)> on_welcome,
             std::function<void(const v1::Ack&)> on_ack, v1::QuestionOrder order = v1::POPULAR) {
  asio::io_context io;
  auto o = options_of(c);
  o.question_order = order;
  auto client = client::Client::create(io.get_executor(), o);
  int code = 2;
  client->on_state = [&](client::State s, const std::string& why) {
    if (s != client::State::stopped) return;
    if (code == 2) std::cerr << "panelwire: " << why << "\n";
    io.stop();
  };
  client->on_welcome = [&](const v1::Welcome& w) {
    if (on_welcome) on_welcome(w);
    if (!command) {
      code = 0;
      return client->stop();
    }
    client->send(*command, [&](const v1::Ack& ack) {
      if (ack.has_error()) {
        std::cerr << "refused: " << format_error(ack.error()) << "\n";
        code = 1;
      } else {
        code = 0;
        if (on_ack) on_ack(ack);
      }
      client->stop();
    });
    command.reset();
  };
  client->start();
  io.run();
  return code;
}

// Joins with the panel's whole history (resume from its start), feeds every
// event up to the head at the join to a record, and hands it to `print`.
int run_record(const Common& c, const std::function<void(const PanelRecord&)>& print) {
  asio::io_context io;
  auto o = options_of(c);
  o.resume_after = 0;
  auto client = client::Client::create(io.get_executor(), o);
  PanelRecord record;
  std::uint64_t head = 0;
  int code = 2;
  auto finish = [&] {
    code = 0;
    print(record);
    client->stop();
  };
  client->on_state = [&](client::State s, const std::string& why) {
    if (s != client::State::stopped) return;
    if (code == 2) std::cerr << "panelwire: " << why << "\n";
    io.stop();
  };
  client->on_welcome = [&](const v1::Welcome& w) {
    if (w.resume() != v1::RESUMED) {
      std::cerr << "panelwire: the panel's first events are past its history (the relay's "
                   "--history-events): a record from here would be incomplete\n";
      code = 1;
      return client->stop();
    }
    head = w.seq();
    if (head == 0) finish();
  };
  client->on_event = [&](const v1::Event& ev) {
    if (code != 2 || ev.seq() > head) return;
    record.add(ev);
    if (ev.seq() == head) finish();
  };
  client->start();
  io.run();
  return code;
}

std::string describe(const v1::Question& q) {
  std::string who = q.anonymous() && !q.has_asker() ? "an attendee" : q.asker().display_name();
  std::string line = std::to_string(q.id()) + "\t" + v1::QuestionState_Name(q.state()) + "\t" +
                     std::to_string(q.votes()) + " votes\t" + who;
  if (!q.addressed_to().empty()) line += " (to " + q.addressed_to() + ")";
  line += "\t" + q.text();
  if (!q.forum_url().empty()) line += "\tcontinued in the forum: " + q.forum_url();
  if (q.has_forum_answer())
    line += "\tanswered in the forum by " + q.forum_answer().answered_by() + ": " +
            q.forum_answer().url();
  return line;
}

}  // namespace

int run_ask(const std::vector<std::string>& args) {
  Common c;
  std::string text, to, forum = "same";
  bool anonymous = false;
  po::options_description desc("panelwire ask: ask a question; prints its id");
  add_common(desc, c);
  desc.add_options()("anonymous", po::bool_switch(&anonymous),
                     "hide your name from all but moderators")(
      "forum", po::value(&forum)->default_value(forum),
      "whether the forum's follow-up names you: same (as here), named or unnamed")(
      "to", po::value(&to), "the panelist it is addressed to")("text", po::value(&text)->required(),
                                                               "the question");
  po::positional_options_description pos;
  pos.add("text", 1);
  if (auto exit = parse(args, desc, pos, "ask")) return *exit;
  if (forum != "same" && forum != "named" && forum != "unnamed")
    return usage_error("ask", "--forum is same, named or unnamed", desc);
  v1::ClientMessage m;
  m.mutable_ask_question()->set_forum_credit(forum == "named"     ? v1::FORUM_NAMED
                                             : forum == "unnamed" ? v1::FORUM_UNNAMED
                                                                  : v1::FORUM_CREDIT_UNSPECIFIED);
  m.mutable_ask_question()->set_text(text);
  m.mutable_ask_question()->set_anonymous(anonymous);
  m.mutable_ask_question()->set_addressed_to(to);
  return run_once(c, m, nullptr, [](const v1::Ack& a) { std::cout << a.seq() << "\n"; });
}

int run_vote(const std::vector<std::string>& args) {
  Common c;
  std::uint64_t id = 0;
  bool withdraw = false;
  po::options_description desc("panelwire vote: vote for a question (once per participant)");
  add_common(desc, c);
  desc.add_options()("withdraw", po::bool_switch(&withdraw), "take your vote back")(
      "question", po::value(&id)->required(), "question id");
  po::positional_options_description pos;
  pos.add("question", 1);
  if (auto exit = parse(args, desc, pos, "vote")) return *exit;
  v1::ClientMessage m;
  m.mutable_vote()->set_question_id(id);
  m.mutable_vote()->set_withdraw(withdraw);
  return run_once(c, m, nullptr, [](const v1::Ack& a) {
    std::cout << (a.seq() ? "counted" : "unchanged") << "\n";
  });
}

int run_moderate(const std::vector<std::string>& args) {
  Common c;
  std::string action, text;
  std::uint64_t id = 0;
  po::options_description desc(
      "panelwire moderate: approve|dismiss|restore|highlight|answer|forum QUESTION_ID");
  add_common(desc, c);
  desc.add_options()("action", po::value(&action)->required(), "what to do")(
      "question", po::value(&id)->required(), "question id")(
      "text", po::value(&text), "answer: the written answer to publish");
  po::positional_options_description pos;
  pos.add("action", 1).add("question", 1);
  if (auto exit = parse(args, desc, pos, "moderate")) return *exit;
  static const std::pair<const char*, v1::ModerationAction> kActions[] = {
      {"approve", v1::APPROVE},     {"dismiss", v1::DISMISS},      {"restore", v1::RESTORE},
      {"highlight", v1::HIGHLIGHT}, {"answer", v1::MARK_ANSWERED}, {"forum", v1::SEND_TO_FORUM}};
  v1::ClientMessage m;
  auto* mod = m.mutable_moderate_question();
  for (const auto& [name, value] : kActions)
    if (action == name) mod->set_action(value);
  if (mod->action() == v1::MODERATION_ACTION_UNSPECIFIED)
    return usage_error("moderate", "unknown action '" + action + "'", desc);
  mod->set_question_id(id);
  mod->set_answer_text(text);
  return run_once(c, m, nullptr,
                  [](const v1::Ack& a) { std::cout << (a.seq() ? "done" : "unchanged") << "\n"; });
}

int run_end(const std::vector<std::string>& args) {
  Common c;
  po::options_description desc("panelwire end: end the panel and publish its leftovers");
  add_common(desc, c);
  po::positional_options_description pos;
  if (auto exit = parse(args, desc, pos, "end")) return *exit;
  v1::ClientMessage m;
  m.mutable_end_panel();
  return run_once(c, m, nullptr,
                  [](const v1::Ack& a) { std::cout << "ended at seq " << a.seq() << "\n"; });
}

int run_questions(const std::vector<std::string>& args) {
  Common c;
  std::string order = "popular";
  po::options_description desc(
      "panelwire questions: list the questions you may see (id, state, votes, asker, text)");
  add_common(desc, c);
  desc.add_options()("order", po::value(&order)->default_value(order), "popular or recent");
  po::positional_options_description pos;
  if (auto exit = parse(args, desc, pos, "questions")) return *exit;
  if (order != "popular" && order != "recent")
    return usage_error("questions", "--order is popular or recent", desc);
  return run_once(
      c, std::nullopt,
      [](const v1::Welcome& w) {
        for (const auto& q : w.questions()) std::cout << describe(q) << "\n";
      },
      nullptr, order == "recent" ? v1::RECENT : v1::POPULAR);
}

int run_transcript(const std::vector<std::string>& args) {
  Common c;
  std::string format = "markdown";
  po::options_description desc(
      "panelwire transcript: the panel's chat and questions, as they stand (a moderator's token: "
      "anonymous askers stay anonymous, deleted messages are left out)");
  add_common(desc, c);
  desc.add_options()("format", po::value(&format)->default_value(format), "markdown, json or csv");
  po::positional_options_description pos;
  if (auto exit = parse(args, desc, pos, "transcript")) return *exit;
  if (format != "markdown" && format != "json" && format != "csv")
    return usage_error("transcript", "--format is markdown, json or csv", desc);
  return run_record(c, [&](const PanelRecord& r) {
    std::cout << (format == "json"  ? r.json(c.panel)
                  : format == "csv" ? r.csv()
                                    : r.markdown(c.panel));
  });
}

int run_audit(const std::vector<std::string>& args) {
  Common c;
  po::options_description desc(
      "panelwire audit: every moderation of the panel, in order (who, what, on what, when); a "
      "moderator's token");
  add_common(desc, c);
  po::positional_options_description pos;
  if (auto exit = parse(args, desc, pos, "audit")) return *exit;
  return run_record(c, [](const PanelRecord& r) { std::cout << r.audit(); });
}

}  // namespace panelwire::cli
