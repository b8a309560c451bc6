#pragma once
// The lists a shard keeps its sessions in (panel members, drainables,
// flushes, keepalives): intrusive, so joining or leaving one allocates
// nothing. A session derives from the hook of each list it may be in, is
// in each at most once, and leaves them all when destroyed (auto-unlink).

#include <boost/intrusive/list.hpp>

namespace panelwire::net {

template <class Tag>
using SessionHook =
    boost::intrusive::list_base_hook<boost::intrusive::tag<Tag>,
                                     boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// Overflow rule: none is needed; its size is bounded by the sessions, each
// in it at most once.
template <class T>
using SessionList = boost::intrusive::list<T, boost::intrusive::base_hook<SessionHook<T>>,
                                           boost::intrusive::constant_time_size<false>>;

}  // namespace panelwire::net
