#include "token_command.h"

#include <jwt.h>

#include <cstdlib>
#include <ctime>
#include <iostream>
#include <memory>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>

#include "cli_args.h"
#include "panelwire/tools/secret_file.h"

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

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return 70;
  std::unique_ptr<jwt_t, decltype(&jwt_free)> j(raw, &jwt_free);
  boost::json::array list;
  for (const auto& p : panels) list.emplace_back(p);
  boost::json::object grants;
  grants["panels"] = list;
  bool ok =
      jwt_add_grant(j.get(), "sub", subject.c_str()) == 0 &&
      jwt_add_grant(j.get(), "name", name.c_str()) == 0 &&
      jwt_add_grant(j.get(), "role", role.c_str()) == 0 &&
      jwt_add_grant_int(j.get(), "exp", exp) == 0 &&
      jwt_add_grants_json(j.get(), boost::json::serialize(grants).c_str()) == 0 &&
      jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(secret.data()),
                  static_cast<int>(secret.size())) == 0;
  // libjwt 1.10 hands out strings to release with free().
  std::unique_ptr<char, decltype(&std::free)> token(ok ? jwt_encode_str(j.get()) : nullptr,
                                                    &std::free);
  if (!token) {
    std::cerr << "panelwire token: cannot sign the token\n";
    return 70;
  }
  std::cout << token.get() << "\n";
  return 0;
}

}  // namespace panelwire::cli
