#include "storage/open_file_cache.h"

namespace brook::storage {

open_file_cache::open_file_cache(size_t capacity) : _capacity(capacity) {}

open_file_cache& open_file_cache::process() {
  static open_file_cache cache;
  return cache;
}

void open_file_cache::set_capacity(size_t capacity) {
  std::lock_guard lock(_mutex);
  _capacity = capacity;
  evict_locked();
}

size_t open_file_cache::capacity() const {
  std::lock_guard lock(_mutex);
  return _capacity;
}

size_t open_file_cache::open_count() const {
  std::lock_guard lock(_mutex);
  return _ring.size();
}

void open_file_cache::opened(const cached_file* f) {
  std::lock_guard lock(_mutex);
  if (f->_in_ring) {
    return;
  }
  _ring.push_back(f);
  f->_ring_position = std::prev(_ring.end());
  f->_in_ring = true;
  evict_locked(f);
}

void open_file_cache::forget(const cached_file* f) {
  std::lock_guard lock(_mutex);
  if (f->_in_ring) {
    _ring.erase(f->_ring_position);
    f->_in_ring = false;
  }
}

void open_file_cache::evict_locked(const cached_file* keep) {
  // The clock: the hand is the front. A file used since it last passed goes to the back
  // once more; the first one not used is closed. Two passes at most (past capacity there
  // are at least two files, so one that is not `keep`).
  while (_capacity != unlimited && _ring.size() > _capacity) {
    const cached_file* f = _ring.front();
    if (f == keep || f->_used.exchange(false, std::memory_order_relaxed)) {
      _ring.splice(_ring.end(), _ring, _ring.begin());
      continue;
    }
    _ring.pop_front();
    f->_in_ring = false;
    f->close_for_cache();
  }
}

cached_file::cached_file(std::filesystem::path path, file opened, open_file_cache& cache)
    : _path(std::move(path)),
      _cache(cache),
      _file(std::make_shared<const file>(std::move(opened))) {
  _cache.opened(this);
}

cached_file::~cached_file() {
  _cache.forget(this);
}

result<std::shared_ptr<const file>> cached_file::get() const {
  _used.store(true, std::memory_order_relaxed);
  std::shared_ptr<const file> f;
  {
    std::lock_guard lock(_mutex);
    if (_pinned) {
      return _pinned;
    }
    if (_file) {
      return _file;
    }
    auto opened = file::open(_path, file::mode::read_write);
    if (!opened) {
      return opened.error();
    }
    _file = std::make_shared<const file>(std::move(opened).value());
    f = _file;
  }
  _cache._reopens.fetch_add(1, std::memory_order_relaxed);
  _cache.opened(this);
  return f;
}

void cached_file::pin(std::shared_ptr<const file> f) const {
  std::lock_guard lock(_mutex);
  _pinned = std::move(f);
}

bool cached_file::is_open() const {
  std::lock_guard lock(_mutex);
  return _file != nullptr;
}

void cached_file::close_for_cache() const {
  std::shared_ptr<const file> closing;
  {
    std::lock_guard lock(_mutex);
    closing = std::move(_file);
    _file.reset();
  }
  // `closing` goes out of scope here: the descriptor closes unless a reader still holds it.
}

}  // namespace brook::storage
