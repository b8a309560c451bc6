// The main of fuzz targets in builds without libFuzzer: runs the target once
// over every file named on the command line or found under the directories
// named there, so the seed corpus (and any crash input added to it) is a
// regression test in the release and sanitizer builds.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    fs::path arg = argv[i];
    if (fs::is_directory(arg)) {
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file()) inputs.push_back(e.path());
    } else {
      inputs.push_back(arg);
    }
  }
  // A fixed order, so a failure names the same input every run.
  std::sort(inputs.begin(), inputs.end());
  // An empty corpus would pass without testing anything.
  if (inputs.empty()) {
    std::cerr << "usage: " << argv[0] << " FILE_OR_DIR... (no inputs found)\n";
    return 2;
  }
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << path << "\n";
      return 2;
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Named before the run: a crash then says which input did it.
    std::cerr << "running " << path.string() << " (" << bytes.size() << " bytes)\n";
    // A buffer of exactly the input's size, as libFuzzer passes: reading
    // past the end is then an AddressSanitizer error, not the string's slack.
    auto exact = std::make_unique<std::uint8_t[]>(bytes.size());
    std::copy(bytes.begin(), bytes.end(), exact.get());
    LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  }
  std::cerr << inputs.size() << " inputs passed\n";
  return 0;
}
