#pragma once
// Outbox files as the relay writes them, and the importer's other inputs,
// for the tests that run panelwire-forum-import on them.

#include <fstream>
#include <string>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "panelwire/v1/leftover.pb.h"
#include "server_process.h"

namespace panelwire::test {

inline v1::Leftover leftover(const std::string& panel, std::uint64_t question,
                             const std::string& text, const std::string& asker) {
  v1::Leftover l;
  l.set_leftover_id(panel + "/1764763200000/" + std::to_string(question));
  l.set_panel_id(panel);
  l.set_panel_title("Tom & Jerry's \"panel\"");
  l.set_question_id(question);
  l.set_kind(v1::QUESTION);
  l.set_text(text);
  l.set_asker_name(asker);
  l.add_credited_names(asker);
  l.set_asked_at_ms(1'764'763'200'000);
  return l;
}

inline std::string json_line(const v1::Leftover& l) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(l, &json).ok());
  return json;
}

// An outbox as the relay writes it: a line per leftover, and `tail` after
// them (a torn line, say).
inline std::string outbox_of(const std::vector<v1::Leftover>& items, const std::string& tail = "") {
  auto path = temp_path("outbox.jsonl");
  std::ofstream out(path, std::ios::binary);
  for (const auto& l : items) out << json_line(l) << "\n";
  out << tail;
  return path;
}

inline std::vector<boost::json::object> lines_of(const std::string& path) {
  std::vector<boost::json::object> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);)
    out.push_back(boost::json::parse(line).as_object());
  return out;
}

// A loopback port nothing listens on: 1, which only root may bind and no
// test does (a free port, bound and closed, could be taken by another
// test's server meanwhile).
inline unsigned short closed_port() {
  return 1;
}

// The importer's arguments for a Discourse at `forum_url` (its key k-123,
// the account panel-bot), reading `outbox`: paced and backed off for a
// test, `extra` after them.
inline std::vector<std::string> discourse_import_args(const std::string& outbox,
                                                      const std::string& forum_url,
                                                      std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"--outbox",         outbox,      "--sink",           "discourse",
                                "--discourse-url",  forum_url,   "--api-key",        "k-123",
                                "--api-username",   "panel-bot", "--per-minute",     "6000",
                                "--backoff-min-ms", "20",        "--backoff-max-ms", "100"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

}  // namespace panelwire::test
