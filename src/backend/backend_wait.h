// backend_wait: the event backend's calls answer through callbacks; the connect runtime's
// threads (workers, the admin thread) and the registry's may block, and wait for the answer here.
//   auto range = wait_for<backend::partition_offsets>(
//       [&](auto done) { events.offsets(topic, 0, std::move(done)); });
#pragma once

#include <future>
#include <memory>
#include <utility>
#include <vector>

#include "backend/event_backend.h"

namespace brook::backend {

// Starts the call with a callback and waits for the answer it gives (exactly once).
template <typename T, typename Start>
outcome<T> wait_for(Start start) {
  std::promise<outcome<T>> p;
  auto f = p.get_future();
  start([&p](outcome<T> r) { p.set_value(std::move(r)); });
  return f.get();
}

// Starts the call now and gives its answer later: the future may be dropped before the
// answer comes (the callback then fills a promise nobody reads).
template <typename T, typename Start>
std::future<outcome<T>> start_call(Start start) {
  auto p = std::make_shared<std::promise<outcome<T>>>();
  auto f = p->get_future();
  start([p](outcome<T> r) { p->set_value(std::move(r)); });
  return f;
}

// Produces `records` to `topic` and waits for their results.
inline std::vector<produce_result> wait_for_produce(event_backend& events, const std::string& topic,
                                                    std::vector<produce_record> records) {
  std::promise<std::vector<produce_result>> p;
  auto f = p.get_future();
  events.produce(topic, std::move(records),
                 [&p](std::vector<produce_result> r) { p.set_value(std::move(r)); });
  return f.get();
}

}  // namespace brook::backend
