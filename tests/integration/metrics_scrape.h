#pragma once
// Reading a Prometheus text exposition in tests: every sample by its name
// and labels as written (`panelwire_joins_total{result="accepted"}`).

#include <map>
#include <sstream>
#include <string>

#include "raw_client.h"

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

// A sample's value; -1 (which no sample here has) when the scrape lacks it.
inline double value(const Samples& s, const std::string& key) {
  auto it = s.find(key);
  return it == s.end() ? -1 : it->second;
}

}  // namespace panelwire::test
