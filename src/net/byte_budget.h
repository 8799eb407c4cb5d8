// byte_budget: the bytes many connections may hold together for requests being read or
// waiting to be handled (Kafka's queued.max.request.bytes). A connection grows its share
// through a budget_lease as a frame's bytes arrive; past the limit the growth is refused
// and the connection waits (reads nothing) until others give bytes back. A lease that
// holds every byte counted is never refused, so one request as large as the whole budget
// still goes through and the server always progresses.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

namespace brook::net {

class byte_budget {
 public:
  explicit byte_budget(size_t limit) : _limit(limit) {}
  byte_budget(const byte_budget&) = delete;
  byte_budget& operator=(const byte_budget&) = delete;

  // Counts `more` bytes for a holder of `held` (counted already): true when they fit
  // under the limit, or when the holder holds everything counted.
  bool try_grow(size_t held, size_t more) {
    size_t used = _used.load(std::memory_order_relaxed);
    do {
      if (used + more > _limit && used != held) {
        return false;
      }
    } while (!_used.compare_exchange_weak(used, used + more, std::memory_order_relaxed));
    return true;
  }
  void give_back(size_t n) { _used.fetch_sub(n, std::memory_order_relaxed); }
  size_t used() const { return _used.load(std::memory_order_relaxed); }
  size_t limit() const { return _limit; }

 private:
  const size_t _limit;
  std::atomic<size_t> _used{0};
};

// Bytes held of a budget (none without one); given back when the lease goes. Move-only;
// it keeps the budget alive (a request may outlive its listener during shutdown).
class budget_lease {
 public:
  budget_lease() = default;
  explicit budget_lease(std::shared_ptr<byte_budget> budget) : _budget(std::move(budget)) {}
  budget_lease(budget_lease&& other) noexcept
      : _budget(std::move(other._budget)), _held(std::exchange(other._held, 0)) {}
  budget_lease& operator=(budget_lease&& other) noexcept {
    if (this != &other) {
      release();
      _budget = std::move(other._budget);
      _held = std::exchange(other._held, 0);
    }
    return *this;
  }
  budget_lease(const budget_lease&) = delete;
  budget_lease& operator=(const budget_lease&) = delete;
  ~budget_lease() { release(); }

  // Holds `more` bytes more, when the budget has room (always without a budget).
  bool try_grow(size_t more) {
    if (_budget == nullptr) {
      return true;
    }
    if (!_budget->try_grow(_held, more)) {
      return false;
    }
    _held += more;
    return true;
  }
  size_t held() const { return _held; }

 private:
  void release() {
    if (_budget != nullptr && _held > 0) {
      _budget->give_back(_held);
    }
    _held = 0;
  }
  std::shared_ptr<byte_budget> _budget;
  size_t _held = 0;
};

}  // namespace brook::net
