#include "panel_followers.h"

#include <algorithm>

#include <boost/asio/post.hpp>

namespace panelwire::engine {

void PanelFollowers::remove(EventSink* sink) {
  std::erase_if(list_, [sink](const Follower& f) { return f.sink == sink; });
}

void PanelFollowers::deliver(const core::EventPtr& ev) const {
  for (const auto& f : list_) boost::asio::post(f.on, [sink = f.sink, ev] { sink->on_event(ev); });
}

void publish_then_reply(LeftoverOutbox& outbox, core::Result<core::Appended> result,
                        std::function<void(core::Result<core::Appended>)> reply) {
  if (!result || !result->leftovers) return reply(std::move(result));
  auto batch = std::move(*result->leftovers);
  result->leftovers.reset();
  outbox.publish(std::move(batch), [reply = std::move(reply), result = std::move(result)](
                                       core::Result<void> written) mutable {
    if (!written) return reply(written.error());
    reply(std::move(result));
  });
}

}  // namespace panelwire::engine
