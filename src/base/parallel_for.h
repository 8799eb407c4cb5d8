// parallel_for: runs one task per index on a few threads, with a progress report from the
// calling thread while they work. For the broker's whole-directory passes (opening every
// partition at start, closing every one at stop), where each task waits mostly on the disk.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace brook {

// Calls work(i) once for each i in [0, count), on min(count, max(threads, 1)) threads, and
// returns when every call has returned. When work returns false, no further index is handed
// out (those under way finish). While the tasks run, the calling thread calls progress(done)
// every `interval` (done: how many calls have returned). Returns how many calls were made.
size_t parallel_for(size_t count, unsigned threads, const std::function<bool(size_t)>& work,
                    std::chrono::milliseconds interval,
                    const std::function<void(size_t done)>& progress);

}  // namespace brook
