#include "base/parallel_for.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace brook {
namespace {

using namespace std::chrono_literals;

TEST(ParallelFor, CallsEachIndexOnceOnSeveralThreads) {
  std::mutex m;
  std::vector<int> calls(1000, 0);
  std::set<std::thread::id> threads;
  size_t made = parallel_for(
      calls.size(), 4,
      [&](size_t i) {
        std::lock_guard lock(m);
        ++calls[i];
        threads.insert(std::this_thread::get_id());
        return true;
      },
      1h, [](size_t) {});
  EXPECT_EQ(made, 1000u);
  for (int c : calls) {
    EXPECT_EQ(c, 1);
  }
  EXPECT_FALSE(threads.count(std::this_thread::get_id()));  // the caller only waits
  EXPECT_LE(threads.size(), 4u);
}

TEST(ParallelFor, TasksRunAtTheSameTime) {
  // Each of the 3 tasks waits until all 3 have started: this ends only if they overlap.
  std::mutex m;
  std::condition_variable cv;
  int started = 0;
  parallel_for(
      3, 3,
      [&](size_t) {
        std::unique_lock lock(m);
        ++started;
        cv.notify_all();
        return cv.wait_for(lock, 30s, [&] { return started == 3; });
      },
      1h, [](size_t) {});
  EXPECT_EQ(started, 3);
}

TEST(ParallelFor, FalseStopsHandingOutIndexes) {
  std::atomic<size_t> calls{0};
  size_t made = parallel_for(
      100, 1, [&](size_t i) { return ++calls, i < 9; }, 1h, [](size_t) {});
  EXPECT_EQ(made, 10u);  // one thread: indexes 0..9, and 9 said stop
  EXPECT_EQ(calls.load(), 10u);
}

TEST(ParallelFor, ReportsProgressWhileTasksRun) {
  // The task waits until progress has been reported twice: it ends only if the caller
  // reports while the task runs.
  std::mutex m;
  std::condition_variable cv;
  std::vector<size_t> reports;
  parallel_for(
      1, 2,
      [&](size_t) {
        std::unique_lock lock(m);
        return cv.wait_for(lock, 30s, [&] { return reports.size() >= 2; });
      },
      1ms,
      [&](size_t done) {
        std::lock_guard lock(m);
        reports.push_back(done);
        cv.notify_all();
      });
  ASSERT_GE(reports.size(), 2u);
  EXPECT_EQ(reports[0], 0u);
}

TEST(ParallelFor, NothingToDoReturnsAtOnce) {
  EXPECT_EQ(parallel_for(
                0, 8, [](size_t) { return true; }, 1h, [](size_t) {}),
            0u);
}

}  // namespace
}  // namespace brook
