#pragma once
// Asks each of several threads for its part of a figure and adds the parts
// up on one executor: for scrapes, which must not lock what the io threads
// run on. Threads share nothing here but the parts, posted as values.

#include <cstddef>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>

namespace panelwire::engine {

// Runs `part(i)` on `on[i]` for each i, merges the results (T::merge) on
// `reply_on` and hands the sum to `done` there once every part is in.
template <class T, class Executor, class ReplyExecutor>
void gather(const std::vector<Executor>& on, std::function<T(std::size_t)> part,
            ReplyExecutor reply_on, std::function<void(T)> done) {
  // Lives until the last part is in; touched on `reply_on` only.
  struct State {
    T sum{};
    std::size_t waiting = 0;
    ReplyExecutor reply_on;
    std::function<void(T)> done;
  };
  auto s = std::make_shared<State>(State{T{}, on.size(), reply_on, std::move(done)});
  if (on.empty())
    return boost::asio::post(s->reply_on,
                             [s] { std::exchange(s->done, nullptr)(std::move(s->sum)); });
  for (std::size_t i = 0; i < on.size(); ++i) {
    // `s` moves on with the part: a handler destroyed on the part's thread
    // never holds the last reference (nor, through `done`, what the reply
    // executor owns).
    boost::asio::post(on[i], [part, i, s]() mutable {
      auto reply_on = s->reply_on;
      boost::asio::post(reply_on, [s = std::move(s), p = part(i)]() {
        s->sum.merge(p);
        if (--s->waiting == 0) std::exchange(s->done, nullptr)(std::move(s->sum));
      });
    });
  }
}

}  // namespace panelwire::engine
