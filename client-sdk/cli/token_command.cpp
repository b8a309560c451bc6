#include "token_command.h"

#include <cstdlib>
#include <ctime>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli_args.h"
#include "panelwire/tools/secret_file.h"
#include "panelwire/tools/sign_token.h"

namespace panelwire::cli {

namespace po = boost::program_options;

int run_token(const std::vector<std::string>& args) {
  po::options_description desc("panelwire token: print a signed participant token (HS256)");
  std::string secret, secret_file, role, name, subject;
  std::vector<std::string> panels;
  long ttl = 12 * 3600, expires_at = 0;
  desc.add_options()("help", "show this help")(
      "secret", po::value(&secret), "the server's token secret (or PANELWIRE_TOKEN_SECRET)")(
      "secret-file", po::value(&secret_file), "file holding the token secret")(
      "role", po::value(&role)->default_value("attendee"), "attendee, panelist or moderator")(
      "name", po::value(&name)->required(), "display name")("subject", po::value(&subject),
                                                            "stable user id (default: the name)")(
      "panel", po::value(&panels)->composing(), "panel id the token is for (repeat; * for any)")(
      "ttl", po::value(&ttl)->default_value(ttl), "seconds until it expires")(
      "expires-at", po::value(&expires_at), "expiry as Unix seconds (overrides --ttl; for tests)");
  po::variables_map vm;
  if (auto exit = parse_args(args, desc, {}, "token", vm)) return *exit;
  if (!secret_file.empty()) {
    auto text = tools::read_secret_file(secret_file);
    if (!text) return usage_error("token", "cannot read --secret-file " + secret_file, desc);
    secret = std::move(*text);
  }
  if (secret.empty())
    if (const char* env = std::getenv("PANELWIRE_TOKEN_SECRET")) secret = env;
  // The relay refuses shorter secrets: tokens signed with one are guessable.
  if (secret.size() < 32)
    return usage_error(
        "token",
        "the secret must be at least 32 bytes (--secret, --secret-file or PANELWIRE_TOKEN_SECRET)",
        desc);
  if (role != "attendee" && role != "panelist" && role != "moderator")
    return usage_error("token", "--role must be attendee, panelist or moderator", desc);
  if (panels.empty()) return usage_error("token", "at least one --panel is required", desc);
  if (subject.empty()) subject = name;
  long exp = vm.count("expires-at") ? expires_at : static_cast<long>(std::time(nullptr)) + ttl;

  auto token = tools::sign_token(secret, {subject, name, role, panels, exp});
  if (!token) {
    std::cerr << "panelwire token: cannot sign the token\n";
    return 70;
  }
  std::cout << *token << "\n";
  return 0;
}

}  // namespace panelwire::cli
