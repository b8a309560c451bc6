#include "event_format.h"

#include <ctime>

namespace panelwire::cli {
namespace {

std::string printable(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\\')
      out += "\\\\";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else
      out += static_cast<char>(c);
  }
  return out;
}

}  // namespace

std::string format_utc(std::int64_t at_ms, const char* format) {
  std::time_t t = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

std::string format_event(const v1::Event& ev) {
  std::string line =
      "#" + std::to_string(ev.seq()) + " [" + format_utc(ev.at_ms(), "%H:%M:%S") + "] ";
  switch (ev.kind_case()) {
    case v1::Event::kChatPosted:
      return line + printable(ev.chat_posted().author().display_name()) + ": " +
             printable(ev.chat_posted().text());
    case v1::Event::kChatDeleted:
      return line + "(message #" + std::to_string(ev.chat_deleted().chat_seq()) + " deleted by " +
             printable(ev.chat_deleted().by().display_name()) + ")";
    default:
      return line + "(event this client does not know)";
  }
}

std::string format_error(const v1::Error& error) {
  return v1::ErrorCode_Name(error.code()) + ": " + error.message();
}

}  // namespace panelwire::cli
