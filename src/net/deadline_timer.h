// deadline_timer: a callback run on an executor at a deadline, re-armed by what the
// callback returns: the shape of "wake at the earliest deadline, or sooner when someone
// sets an earlier one" without a thread of its own.
//
// `fire` runs on the executor, never twice at once, and returns the next deadline
// (clock::time_point::max(): none; sleep until arm()). arm() from any thread moves the
// deadline earlier (never later); an arm() while `fire` runs makes it run again at the
// earlier of the two deadlines. stop() returns once no `fire` runs and none will.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

namespace brook::net {

struct deadline_timer_state;

class deadline_timer {
 public:
  using clock = std::chrono::steady_clock;
  using fire_fn = std::function<clock::time_point()>;

  // Not armed: nothing runs before the first arm(). The executor's context outlives the
  // timer.
  deadline_timer(boost::asio::any_io_executor executor, fire_fn fire);
  ~deadline_timer();  // stop()
  deadline_timer(const deadline_timer&) = delete;
  deadline_timer& operator=(const deadline_timer&) = delete;

  // Fire at `at`, or earlier if an earlier deadline is set already. A time in the past:
  // as soon as the executor gets to it.
  void arm(clock::time_point at);
  // From any thread, `fire` included (then it does not wait for itself).
  void stop();

 private:
  std::shared_ptr<deadline_timer_state> _state;  // shared with the pending wait
};

}  // namespace brook::net
