// deadline_timer and periodic_timer on a one-thread io_pool: they fire at their deadlines,
// an earlier arm() wins, a later one does not delay, and stop() means no more calls.
#include "net/deadline_timer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <vector>

#include "net/io_pool.h"
#include "net/periodic_timer.h"

namespace brook::net {
namespace {

using namespace std::chrono_literals;
using clock = deadline_timer::clock;

// The times `fire` ran, and a promise kept at the n-th.
struct recorder {
  std::mutex mutex;
  std::vector<clock::time_point> fired;
  size_t wanted = 1;
  std::promise<void> done;

  void record() {
    std::lock_guard lock(mutex);
    fired.push_back(clock::now());
    if (fired.size() == wanted) {
      done.set_value();
    }
  }
  size_t count() {
    std::lock_guard lock(mutex);
    return fired.size();
  }
};

struct timer_test : ::testing::Test {
  timer_test() { io.start(); }
  io_pool io{"test-io", 1};
};

TEST_F(timer_test, FiresAtTheDeadlineAndNotBefore) {
  recorder r;
  deadline_timer t(io.next_executor(), [&] {
    r.record();
    return clock::time_point::max();
  });
  auto armed = clock::now();
  t.arm(armed + 100ms);
  ASSERT_EQ(r.done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_GE(r.fired[0] - armed, 100ms);
  t.stop();
  EXPECT_EQ(r.count(), 1u);
}

TEST_F(timer_test, AnEarlierArmWinsALaterOneDoesNotDelay) {
  recorder r;
  deadline_timer t(io.next_executor(), [&] {
    r.record();
    return clock::time_point::max();
  });
  auto armed = clock::now();
  t.arm(armed + 1h);
  t.arm(armed + 50ms);  // earlier: fires then
  t.arm(armed + 2h);    // later: ignored
  ASSERT_EQ(r.done.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_GE(r.fired[0] - armed, 50ms);
  EXPECT_LT(r.fired[0] - armed, 1h);
}

TEST_F(timer_test, WhatFireReturnsIsTheNextDeadline) {
  recorder r;
  r.wanted = 3;
  deadline_timer t(io.next_executor(), [&] {
    r.record();
    return clock::now() + 20ms;
  });
  auto armed = clock::now();
  t.arm(armed);
  ASSERT_EQ(r.done.get_future().wait_for(10s), std::future_status::ready);
  t.stop();
  std::lock_guard lock(r.mutex);
  EXPECT_GE(r.fired[2] - r.fired[1], 20ms);
  EXPECT_GE(r.fired[1] - r.fired[0], 20ms);
}

TEST_F(timer_test, ArmDuringFireRunsItAgain) {
  recorder r;
  r.wanted = 2;
  deadline_timer* self = nullptr;
  std::atomic<int> calls{0};
  deadline_timer t(io.next_executor(), [&] {
    if (calls++ == 0) {
      self->arm(clock::now());  // set while running: runs again, though fire says never
    }
    r.record();
    return clock::time_point::max();
  });
  self = &t;
  t.arm(clock::now());
  ASSERT_EQ(r.done.get_future().wait_for(10s), std::future_status::ready);
}

TEST_F(timer_test, StopWaitsForARunningFireAndNoneFollows) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> calls{0};
  deadline_timer t(io.next_executor(), [&] {
    if (calls++ == 0) {
      entered.set_value();
      released.wait();
    }
    return clock::now();  // would run again at once
  });
  t.arm(clock::now());
  entered.get_future().wait();
  auto stopped = std::async(std::launch::async, [&] { t.stop(); });
  EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout);  // fire still runs
  release.set_value();
  stopped.get();
  EXPECT_EQ(calls.load(), 1);
  t.arm(clock::now());  // stopped: ignored
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(timer_test, PeriodicTimerTicksEveryInterval) {
  recorder r;
  r.wanted = 3;
  auto started = clock::now();
  periodic_timer p(io.next_executor(), 30ms, [&] { r.record(); });
  p.start();
  ASSERT_EQ(r.done.get_future().wait_for(10s), std::future_status::ready);
  p.stop();
  size_t after_stop = r.count();
  std::lock_guard lock(r.mutex);
  EXPECT_GE(r.fired[0] - started, 30ms);
  EXPECT_GE(r.fired[1] - r.fired[0], 30ms);
  EXPECT_EQ(after_stop, r.fired.size());
}

}  // namespace
}  // namespace brook::net
