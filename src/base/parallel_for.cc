#include "base/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace brook {

size_t parallel_for(size_t count, unsigned threads, const std::function<bool(size_t)>& work,
                    std::chrono::milliseconds interval,
                    const std::function<void(size_t done)>& progress) {
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};
  std::mutex done_mutex;
  std::condition_variable done_cv;
  size_t done = 0;
  size_t workers_left = std::min<size_t>(count, std::max(1u, threads));
  auto worker = [&] {
    for (size_t i = next++; i < count && !stopped; i = next++) {
      if (!work(i)) {
        stopped = true;
      }
      std::lock_guard lock(done_mutex);
      ++done;
    }
    std::lock_guard lock(done_mutex);
    --workers_left;
    done_cv.notify_all();
  };
  std::vector<std::jthread> workers;
  workers.reserve(workers_left);
  for (size_t i = 0, n = workers_left; i < n; ++i) {
    workers.emplace_back(worker);
  }
  std::unique_lock lock(done_mutex);
  while (!done_cv.wait_for(lock, interval, [&] { return workers_left == 0; })) {
    const size_t so_far = done;
    lock.unlock();  // the report (a log line) does not hold the workers up
    progress(so_far);
    lock.lock();
  }
  lock.unlock();
  workers.clear();  // joins
  return done;
}

}  // namespace brook
