#pragma once
// Reading a Prometheus text exposition in tests: every sample by its name
// and labels as written (`panelwire_joins_total{result="accepted"}`).

#include <chrono>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "raw_client.h"
#include "server_process.h"

namespace panelwire::test {

using Samples = std::map<std::string, double>;

// Empty when the port does not answer (yet) or answers other than 200.
inline Samples scrape(unsigned short port) {
  Samples samples;
  std::pair<unsigned, std::string> answer;
  try {
    answer = RawClient::http_get(port, "/metrics");
  } catch (const std::exception&) {
    return samples;
  }
  if (answer.first != 200) return samples;
  std::istringstream in(answer.second);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

// The relay's metrics port, from its log line; 0 (and a failure) without.
inline unsigned short metrics_port(const ServerProcess& relay) {
  if (!relay.log_shows("event=metrics_listening")) {
    ADD_FAILURE() << "no metrics_listening line:\n" << relay.log();
    return 0;
  }
  const std::regex line("event=metrics_listening address=[0-9.]+:([0-9]+)");
  std::smatch m;
  const auto log = relay.log();
  if (!std::regex_search(log, m, line)) return 0;
  return static_cast<unsigned short>(std::stoi(m[1]));
}

// A sample's value; -1 (which no sample here has) when the scrape lacks it.
inline double value(const Samples& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? -1 : it->second;
}

}  // namespace panelwire::test
