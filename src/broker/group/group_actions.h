// group_coordinator::actions: the answers a coordinator call produces under its lock, run
// once the lock is released (declare it before the lock_guard). Store writes are queued
// at once, under the lock, so they reach groups.db in the order of the changes.
#pragma once

#include <functional>
#include <vector>

#include "broker/group/group_coordinator.h"
#include "storage/group_store.h"

namespace brook::broker::group {

class group_coordinator::actions {
 public:
  actions() = default;
  actions(const actions&) = delete;
  actions& operator=(const actions&) = delete;
  ~actions() {
    for (auto& f : _answers) {
      f();
    }
  }

  void add(std::function<void()> answer) { _answers.push_back(std::move(answer)); }
  // `done` runs on the store's writer thread, which holds no coordinator lock.
  void add_write(storage::group_store& store, storage::group_changes changes,
                 storage::group_store::done_fn done) {
    store.write(std::move(changes), std::move(done));
  }

 private:
  std::vector<std::function<void()>> _answers;
};

}  // namespace brook::broker::group
