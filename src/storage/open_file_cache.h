// open_file_cache: how many segment files the process keeps open at once. A partition has
// a `.log` file per segment, and a data directory of thousands of partitions has far more
// of them than the common open-file limit (1,024) allows, so segments do not hold their file
// open: each has a cached_file, opened on first use and closed again when the cache needs
// room for another (second-chance "clock" order: a file used since the hand last passed
// it is kept once more). The limit is the process's, so there is one cache per process.
//
// A reader holds the shared_ptr it got: an evicted file closes only when the last reader
// lets go of it, so a sendfile in flight never sees its descriptor closed. The process may
// hold more files than the capacity by the number of such readers.
//
// Closing a file loses nothing: the data written through it is in the page cache, and a
// later fdatasync through a new descriptor makes it durable (fdatasync works on the file,
// not on the descriptor that wrote).
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>

#include "base/file.h"
#include "base/result.h"

namespace brook::storage {

class cached_file;

class open_file_cache {
 public:
  static constexpr size_t unlimited = 0;

  explicit open_file_cache(size_t capacity = unlimited);
  open_file_cache(const open_file_cache&) = delete;
  open_file_cache& operator=(const open_file_cache&) = delete;

  // The process's cache (unlimited until set_capacity).
  static open_file_cache& process();

  // At most `capacity` files open (0: no limit); closes the excess at once.
  void set_capacity(size_t capacity);
  size_t capacity() const;
  // How many files the cache holds open now.
  size_t open_count() const;
  // Files opened again after the cache had closed them, since the start.
  uint64_t reopens() const { return _reopens.load(std::memory_order_relaxed); }

 private:
  friend class cached_file;
  // `f` has just opened its file: counts it, closing the least recently used past capacity.
  void opened(const cached_file* f);
  // `f` is going away: forgets it.
  void forget(const cached_file* f);
  // Closes files past capacity, never `keep` (the one just opened, about to be used).
  void evict_locked(const cached_file* keep = nullptr);

  mutable std::mutex _mutex;
  size_t _capacity;
  std::list<const cached_file*> _ring;  // the files open now; the hand is the front
  std::atomic<uint64_t> _reopens{0};
};

// One file of the cache: its path, opened read-write on demand.
class cached_file {
 public:
  // Takes `opened` (a file already open at `path`) as the first opening.
  cached_file(std::filesystem::path path, file opened, open_file_cache& cache);
  ~cached_file();
  cached_file(const cached_file&) = delete;
  cached_file& operator=(const cached_file&) = delete;

  // The open file, opening it again if the cache had closed it (by its path), unless the
  // file is pinned.
  result<std::shared_ptr<const file>> get() const;
  // From now on get() answers `f` (this file, open) and never opens the path again: the
  // log cleaner pins a segment's old file before it renames the cleaned one over its
  // name, so that readers of the old segment keep reading the old file. The pinned
  // descriptor is not counted by the cache; it goes with this object.
  void pin(std::shared_ptr<const file> f) const;
  // True while the file is open (for tests and the log line).
  bool is_open() const;
  const std::filesystem::path& path() const { return _path; }

 private:
  friend class open_file_cache;
  // Drops this cache's hold on the file (open_file_cache's lock held). Readers keep theirs.
  void close_for_cache() const;

  const std::filesystem::path _path;
  open_file_cache& _cache;
  mutable std::mutex _mutex;  // guards _file; never held while taking the cache's lock
  mutable std::shared_ptr<const file> _file;
  mutable std::shared_ptr<const file> _pinned;  // guarded by _mutex
  mutable std::atomic<bool> _used{false};       // set by get(), cleared as the hand passes
  // Whether the cache's ring holds this file (guarded by the cache's lock).
  mutable bool _in_ring = false;
  mutable std::list<const cached_file*>::iterator _ring_position;
};

}  // namespace brook::storage
