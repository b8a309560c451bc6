#include "chat_command.h"

#include <iostream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>

#include "cli_args.h"
#include "event_format.h"
#include "panelwire/client/client.h"

namespace panelwire::cli {

namespace asio = boost::asio;
namespace po = boost::program_options;

namespace {

struct ChatRun {
  std::shared_ptr<client::Client> client;
  std::size_t pending = 0;
  bool input_done = false;
  bool refused = false;
  int exit_code = 0;

  // Joined and replayed up to the seq the Welcome named.
  bool caught_up = false;
  std::uint64_t join_seq = 0;

  // Ends once caught up (so an empty stdin still prints what was missed)
  // and every message sent has its ack.
  void maybe_finish() {
    if (!caught_up && client->welcome() && client->last_seq() >= join_seq) caught_up = true;
    if (input_done && caught_up && pending == 0 && client->state() != client::State::stopped)
      client->stop();
  }
};

}  // namespace

int run_chat(const std::vector<std::string>& args) {
  po::options_description desc("panelwire chat: join a panel, print its events, send stdin lines");
  std::vector<std::string> urls;
  client::Options opts;
  std::uint64_t resume_after = 0;
  desc.add_options()("help", "show this help")(
      "url",
      po::value(&urls)->composing()->default_value({"ws://127.0.0.1:8080/v1/ws"},
                                                   "ws://127.0.0.1:8080/v1/ws"),
      "relay WebSocket URL; repeat for fallbacks tried in turn")(
      "panel", po::value(&opts.panel_id)->required(), "panel id")(
      "name", po::value(&opts.display_name)->required(), "display name")(
      "client-id", po::value(&opts.client_id), "stable id for retried commands (random if unset)")(
      "json", "use the JSON subprotocol instead of binary protobuf")(
      "resume-after", po::value(&resume_after),
      "last seq already seen: replay only what came after");
  po::variables_map vm;
  if (auto exit = parse_args(args, desc, {}, "chat", vm)) return *exit;
  opts.urls = urls;
  if (vm.count("json")) opts.format = client::WireFormat::json;
  if (vm.count("resume-after")) opts.resume_after = resume_after;

  asio::io_context io;
  ChatRun run;
  run.client = client::Client::create(io.get_executor(), opts);
  auto& c = *run.client;
  c.on_welcome = [&](const v1::Welcome& w) {
    std::cerr << "joined " << w.panel_id() << " as " << w.you().display_name() << " at seq "
              << w.seq() << " (" << v1::ResumeStatus_Name(w.resume()) << ")\n";
    for (const auto& ev : w.recent_chat()) std::cout << format_event(ev) << "\n";
    std::cout.flush();
    run.join_seq = w.seq();
    run.maybe_finish();
  };
  c.on_event = [&](const v1::Event& ev) {
    std::cout << format_event(ev) << std::endl;
    run.maybe_finish();
  };
  c.on_state = [&](client::State s, const std::string& why) {
    if (s == client::State::disconnected)
      std::cerr << "disconnected: " << why << "; reconnecting\n";
    if (s == client::State::stopped) {
      if (!run.input_done || run.pending > 0) {
        std::cerr << "stopped: " << why << "\n";
        run.exit_code = 2;
      }
      io.stop();
    }
  };

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) run.client->stop();
  });

  // Blocking reads live on their own thread; each line is handed to the io
  // thread, which alone touches the client. Detached: at exit it may still
  // be waiting on a terminal.
  std::thread([&io, &run] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      asio::post(io, [&run, line] {
        run.pending++;
        run.client->send_chat(line, [&run](const v1::Ack& ack) {
          run.pending--;
          if (ack.has_error()) {
            std::cerr << "refused: " << format_error(ack.error()) << "\n";
            run.refused = true;
          }
          run.maybe_finish();
        });
      });
    }
    asio::post(io, [&run] {
      run.input_done = true;
      run.maybe_finish();
    });
  }).detach();

  c.start();
  io.run();
  std::cout.flush();
  if (run.exit_code) return run.exit_code;
  return run.refused ? 1 : 0;
}

}  // namespace panelwire::cli
