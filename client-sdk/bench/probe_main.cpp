// panelwire-probe: attacks a relay on this machine the way an attendee with
// a script could, and reports what the relay did and what it cost it
// (resident memory and descriptors, read from /proc). Prints a human summary,
// then the figures as one JSON object on the last line.
//
//   panelwire-probe stalled-welcome --url ws://127.0.0.1:PORT/v1/ws --server-pid PID
//   panelwire-probe panel-churn --url ... --server-pid PID --joins 100000 --wait-ms 25000
//   panelwire-probe connect-flood --url ... --server-pid PID --connections 10000

#include <exception>
#include <iostream>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "panelwire/tools/option_error.h"
#include "probe.h"
#include "process_stats.h"

namespace po = boost::program_options;
namespace json = boost::json;
using namespace panelwire::probe;

int main(int argc, char** argv) {
  std::string scenario, url, subprotocol;
  int server_pid = 0;
  std::size_t connections = 0, joins = 0;
  long wait_ms = 0, hold_ms = 0, publish_every_ms = 0, deadline_ms = 0;
  ProbePlan plan;
  po::options_description desc(
      "panelwire-probe SCENARIO [options]\n"
      "SCENARIO: stalled-welcome | panel-churn | connect-flood\n\noptions");
  // clang-format off
  desc.add_options()
    ("help", "show this help")
    ("url", po::value(&url)->default_value("ws://127.0.0.1:8080/v1/ws"), "relay to attack (127.0.0.1 only)")
    ("server-pid", po::value(&server_pid)->required(), "the relay's process, for its RSS and descriptors")
    ("connections", po::value(&connections)->default_value(0), "attacking connections (stalled-welcome: 100, connect-flood: 10000)")
    ("joins", po::value(&joins)->default_value(100'000), "panel-churn: joins to made-up panel ids")
    ("wait-ms", po::value(&wait_ms)->default_value(0), "panel-churn: wait this long after the joins (past the idle TTL), then measure again")
    ("concurrency", po::value(&plan.concurrency)->default_value(0), "connections in flight at once (panel-churn: 64, connect-flood: 500)")
    ("rounds", po::value(&plan.rounds)->default_value(plan.rounds), "panel-churn: rounds of joins (and waits) on the same relay")
    ("subprotocol", po::value(&subprotocol)->default_value("proto"), "panel-churn: proto or json")
    ("fill-chats", po::value(&plan.fill_chats)->default_value(plan.fill_chats), "stalled-welcome: chat messages that fill the panel")
    ("chat-chars", po::value(&plan.chat_chars)->default_value(plan.chat_chars), "stalled-welcome: U+0001 characters per message")
    ("receive-buffer", po::value(&plan.attacker_receive_buffer)->default_value(plan.attacker_receive_buffer), "stalled-welcome: attackers' SO_RCVBUF")
    ("publish-every-ms", po::value(&publish_every_ms)->default_value(plan.publish_every.count()), "stalled-welcome: the publisher's pace")
    ("hold-ms", po::value(&hold_ms)->default_value(plan.hold.count()), "connect-flood: hold the accepted connections this long")
    ("deadline-ms", po::value(&deadline_ms)->default_value(plan.deadline.count()), "longest an attack phase may take")
    ("scenario", po::value(&scenario), "");
  // clang-format on
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << desc << "\n";
      return 0;
    }
    po::notify(vm);
    if (scenario != "stalled-welcome" && scenario != "panel-churn" && scenario != "connect-flood")
      throw po::error("unknown scenario '" + scenario + "'");
    if (subprotocol != "proto" && subprotocol != "json")
      throw po::error("--subprotocol is proto or json");
    plan.target = parse_target(url);
  } catch (std::exception& e) {
    std::cerr << "panelwire-probe: " << panelwire::tools::option_error_message(e) << "\n"
              << desc << "\n";
    return 64;
  }
  plan.server_pid = static_cast<pid_t>(server_pid);
  plan.format = subprotocol == "json" ? Format::json : Format::proto;
  plan.wait = std::chrono::milliseconds(wait_ms);
  plan.hold = std::chrono::milliseconds(hold_ms);
  plan.publish_every = std::chrono::milliseconds(publish_every_ms);
  plan.deadline = std::chrono::milliseconds(deadline_ms);
  if (scenario == "stalled-welcome") {
    plan.count = connections ? connections : 100;
  } else if (scenario == "panel-churn") {
    plan.count = joins;
    if (!plan.concurrency) plan.concurrency = 64;
  } else {
    plan.count = connections ? connections : 10'000;
    if (!plan.concurrency) plan.concurrency = 500;
  }
  // Thousands of sockets need more than the usual 1024 descriptors.
  panelwire::bench::raise_fd_limit();

  boost::asio::io_context io(1);
  std::optional<json::object> report;
  std::exception_ptr failure;
  auto run = scenario == "stalled-welcome" ? stalled_welcome
             : scenario == "panel-churn"   ? panel_churn
                                           : connect_flood;
  boost::asio::co_spawn(io, run(plan), [&](std::exception_ptr e, json::object r) {
    failure = e;
    if (!e) report = std::move(r);
    io.stop();  // whatever is left (timers, reads) is not waited for
  });
  io.run();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::cerr << "panelwire-probe: " << e.what() << "\n";
    }
    return 1;
  }
  json::object out{{"scenario", scenario}};
  for (auto& [key, value] : *report) out[key] = value;
  std::cout << json::serialize(out) << "\n";
  const bool alive = !out.contains("server_alive") || out["server_alive"].as_bool();
  return out.contains("error") || !alive ? 1 : 0;
}
