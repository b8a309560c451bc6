#include "panelwire/forum/discourse_sink.h"

#include <boost/json.hpp>

#include "panelwire/forum/webhook_sink.h"

namespace panelwire::forum {

Delivery DiscourseSink::deliver(const v1::Leftover& l, const std::string& text) {
  const auto& topic = options_.topic_id.empty() ? l.forum_thread() : options_.topic_id;
  if (topic.empty()) {
    Delivery d;
    d.outcome = Delivery::Outcome::refused;
    d.reason = "panel " + l.panel_id() + " has no forum_thread and no --topic is set";
    return d;
  }
  auto as = options_.api_username;
  if (!l.anonymous()) {
    if (auto it = options_.usernames.find(l.asker_name()); it != options_.usernames.end())
      as = it->second;
  }
  boost::json::object body;
  body["raw"] = text;
  // Discourse takes topic ids as numbers.
  try {
    body["topic_id"] = std::stoll(topic);
  } catch (...) {
    body["topic_id"] = topic;
  }
  HttpRequest req;
  req.url = options_.base_url + "/posts.json";
  req.body = boost::json::serialize(body);
  req.headers = {"Content-Type: application/json", "Accept: application/json",
                 "Api-Key: " + options_.api_key, "Api-Username: " + as};
  return delivery_of(http_post(req),
                     [&](const std::string& b) { return post_id_in(b, l.leftover_id()); });
}

}  // namespace panelwire::forum
