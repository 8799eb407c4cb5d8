#include "net/deadline_timer.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/steady_timer.hpp>

namespace brook::net {

namespace asio = boost::asio;
using clock = deadline_timer::clock;

struct deadline_timer_state {
  deadline_timer_state(asio::any_io_executor executor, deadline_timer::fire_fn f)
      : timer(std::move(executor)), fire(std::move(f)) {}

  std::mutex mutex;  // guards everything below, the asio timer included
  std::condition_variable idle;
  asio::steady_timer timer;
  deadline_timer::fire_fn fire;
  clock::time_point deadline = clock::time_point::max();  // what the timer waits for
  clock::time_point asked = clock::time_point::max();     // arm() during fire
  uint64_t generation = 0;  // of the current wait: an older one that completes is stale
  bool running = false;
  std::thread::id running_on;
  bool stopped = false;
};

namespace {

void wait_locked(const std::shared_ptr<deadline_timer_state>& s, clock::time_point at);

void on_expiry(const std::weak_ptr<deadline_timer_state>& weak, uint64_t generation) {
  auto s = weak.lock();
  if (!s) {
    return;
  }
  std::unique_lock lock(s->mutex);
  if (s->stopped || generation != s->generation) {
    return;  // stopped, or superseded by an earlier deadline
  }
  s->deadline = clock::time_point::max();
  s->running = true;
  s->running_on = std::this_thread::get_id();
  lock.unlock();
  auto next = s->fire();
  lock.lock();
  s->running = false;
  next = std::min(next, s->asked);
  s->asked = clock::time_point::max();
  if (!s->stopped && next != clock::time_point::max()) {
    wait_locked(s, next);
  }
  s->idle.notify_all();
}

void wait_locked(const std::shared_ptr<deadline_timer_state>& s, clock::time_point at) {
  s->deadline = at;
  uint64_t generation = ++s->generation;
  s->timer.expires_at(at);  // cancels the wait for the later deadline
  s->timer.async_wait(
      [weak = std::weak_ptr<deadline_timer_state>(s), generation](boost::system::error_code ec) {
        if (ec != asio::error::operation_aborted) {
          on_expiry(weak, generation);
        }
      });
}

}  // namespace

deadline_timer::deadline_timer(asio::any_io_executor executor, fire_fn fire)
    : _state(std::make_shared<deadline_timer_state>(std::move(executor), std::move(fire))) {}

deadline_timer::~deadline_timer() {
  stop();
}

void deadline_timer::arm(clock::time_point at) {
  std::lock_guard lock(_state->mutex);
  if (_state->stopped) {
    return;
  }
  if (_state->running) {
    _state->asked = std::min(_state->asked, at);
    return;
  }
  if (at < _state->deadline) {
    wait_locked(_state, at);
  }
}

void deadline_timer::stop() {
  std::unique_lock lock(_state->mutex);
  _state->stopped = true;
  _state->timer.cancel();
  if (_state->running_on != std::this_thread::get_id()) {
    _state->idle.wait(lock, [this] { return !_state->running; });
  }
}

}  // namespace brook::net
