// long_poll: the fetch wait policy, written once for Kafka's Fetch handler and the local
// event backend's fetch. A caller that found too little data starts one with the
// partitions and offsets to watch; the poll wakes when any watched partition's high
// watermark passes its offset, or at the deadline, and asks the caller's `attempt` again.
// `attempt(final)` reads, and either answers (returns done) or names what to watch next;
// with `final` (the deadline passed, or expire() was called) it must answer. Every step runs
// on the given executor, which must be single-threaded (a connection's thread, an I/O
// thread): `attempt` is never run twice at once and runs its final time exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace brook::storage {
class partition_log;
}

namespace brook::broker {

class long_poll : public std::enable_shared_from_this<long_poll> {
 public:
  using clock = std::chrono::steady_clock;

  struct watch {
    std::shared_ptr<storage::partition_log> log;
    int64_t offset = 0;  // wake once the high watermark is above this
  };
  struct attempt_result {
    bool done = false;
    std::vector<watch> watches;  // when not done: what to wait for next
  };
  using attempt_fn = std::function<attempt_result(bool final)>;

  // The longest any poll waits, whatever its caller asks (a deadline must not overflow).
  static constexpr std::chrono::milliseconds longest_wait{std::chrono::hours(24)};

  // Starts waiting on `watches` until `deadline` (capped at longest_wait from now).
  static std::shared_ptr<long_poll> start(boost::asio::any_io_executor executor,
                                          clock::time_point deadline, std::vector<watch> watches,
                                          attempt_fn attempt);

  // Makes the final attempt now instead of at the deadline (server shutdown). Thread-safe;
  // does nothing once the poll has answered.
  void expire();
  // Makes an attempt now, as when a watched partition grows (the caller's reads changed:
  // a seek, a new assignment), and goes on waiting if it does not answer. Thread-safe.
  void wake();

 private:
  long_poll(boost::asio::any_io_executor executor, clock::time_point deadline, attempt_fn attempt);

  void listen(std::vector<watch> watches);
  void on_wake();
  void finish_final();
  void stop_waiting();

  boost::asio::any_io_executor _executor;
  boost::asio::steady_timer _timer;
  clock::time_point _deadline;
  attempt_fn _attempt;
  // Registered with the logs; touched on the executor only.
  std::vector<std::pair<std::shared_ptr<storage::partition_log>, uint64_t>> _waits;
  bool _finished = false;
};

}  // namespace brook::broker
