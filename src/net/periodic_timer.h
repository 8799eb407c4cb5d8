// periodic_timer: a callback run on an executor every `interval` (the first time one
// interval after start()), until stop(), which returns once no call runs and none will.
#pragma once

#include <chrono>
#include <functional>

#include <boost/asio/any_io_executor.hpp>

#include "net/deadline_timer.h"

namespace brook::net {

class periodic_timer {
 public:
  periodic_timer(boost::asio::any_io_executor executor, std::chrono::milliseconds interval,
                 std::function<void()> tick);

  void start();
  void stop() { _timer.stop(); }

 private:
  const std::chrono::milliseconds _interval;
  const std::function<void()> _tick;
  deadline_timer _timer;  // last: it calls into the members above
};

}  // namespace brook::net
