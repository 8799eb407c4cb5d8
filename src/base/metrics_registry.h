// metrics_registry: where the parts of a server put what /metrics shows. Each part adds one
// collector, a function that writes its families (reading its counters and histograms, or
// asking its state at that moment: a partition's log end offset, a group's lag); a scrape
// runs the collectors in the order they were added. A collector is removed when the
// registration returned by add() goes, so a part can be destroyed before the registry.
// Collectors run on the scraping thread and must only read: short locks, no I/O waits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "base/metrics_writer.h"

namespace brook {

class metrics_registry {
 public:
  using collector = std::function<void(metrics_writer&)>;

  class registration {
   public:
    registration() = default;
    registration(metrics_registry* r, uint64_t id) : _registry(r), _id(id) {}
    registration(registration&& o) noexcept : _registry(o._registry), _id(o._id) {
      o._registry = nullptr;
    }
    registration& operator=(registration&& o) noexcept;
    registration(const registration&) = delete;
    registration& operator=(const registration&) = delete;
    ~registration() { reset(); }
    void reset();

   private:
    metrics_registry* _registry = nullptr;
    uint64_t _id = 0;
  };

  [[nodiscard]] registration add(collector c);

  // The page every collector writes, in `format`.
  std::string scrape(metrics_format format) const;

 private:
  void remove(uint64_t id);

  mutable std::mutex _mu;
  uint64_t _next_id = 1;
  std::map<uint64_t, collector> _collectors;  // by id: the order they were added in
};

}  // namespace brook
