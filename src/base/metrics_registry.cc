#include "base/metrics_registry.h"

#include <utility>

namespace brook {

metrics_registry::registration& metrics_registry::registration::operator=(
    registration&& o) noexcept {
  if (this != &o) {
    reset();
    _registry = std::exchange(o._registry, nullptr);
    _id = o._id;
  }
  return *this;
}

void metrics_registry::registration::reset() {
  if (_registry != nullptr) {
    std::exchange(_registry, nullptr)->remove(_id);
  }
}

metrics_registry::registration metrics_registry::add(collector c) {
  std::lock_guard lock(_mu);
  const uint64_t id = _next_id++;
  _collectors.emplace(id, std::move(c));
  return registration(this, id);
}

void metrics_registry::remove(uint64_t id) {
  std::lock_guard lock(_mu);
  _collectors.erase(id);
}

std::string metrics_registry::scrape(metrics_format format) const {
  metrics_writer w(format);
  // Held while collecting, so a part cannot be removed (and destroyed) mid-scrape.
  std::lock_guard lock(_mu);
  for (const auto& [id, collect] : _collectors) {
    collect(w);
  }
  return w.finish();
}

}  // namespace brook
