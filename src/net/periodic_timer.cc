#include "net/periodic_timer.h"

namespace brook::net {

periodic_timer::periodic_timer(boost::asio::any_io_executor executor,
                               std::chrono::milliseconds interval, std::function<void()> tick)
    : _interval(interval), _tick(std::move(tick)), _timer(std::move(executor), [this] {
        _tick();
        return deadline_timer::clock::now() + _interval;
      }) {}

void periodic_timer::start() {
  _timer.arm(deadline_timer::clock::now() + _interval);
}

}  // namespace brook::net
