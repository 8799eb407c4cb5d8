#include "net/io_pool.h"

#include <pthread.h>

#include <algorithm>

#include <fmt/format.h>
#include <boost/asio/executor_work_guard.hpp>

namespace brook::net {

namespace asio = boost::asio;

io_pool::io_pool(std::string name, int threads) : _name(std::move(name)) {
  int n =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < n; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread.
    _contexts.push_back(std::make_unique<asio::io_context>(1));
  }
}

io_pool::~io_pool() {
  stop();
  join();
}

void io_pool::start() {
  if (!_threads.empty()) {
    return;
  }
  for (size_t i = 0; i < _contexts.size(); ++i) {
    _threads.emplace_back([c = _contexts[i].get()] {
      auto guard = asio::make_work_guard(*c);
      c->run();
    });
    auto name = fmt::format("{}-{}", _name, i).substr(0, 15);
    pthread_setname_np(_threads.back().native_handle(), name.c_str());
  }
}

void io_pool::stop() {
  for (auto& c : _contexts) {
    c->stop();
  }
}

void io_pool::join() {
  for (auto& t : _threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  _threads.clear();
}

asio::io_context& io_pool::next() {
  return *_contexts[_next.fetch_add(1, std::memory_order_relaxed) % _contexts.size()];
}

}  // namespace brook::net
