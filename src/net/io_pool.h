// io_pool: the I/O threads of one front door. N io_contexts, each run by one thread of its
// own; work handed out round-robin (next()). What runs on a context stays on its thread: a
// connection, once given a context, lives there.
//
// Lifecycle: construct (no threads yet), start(), stop() (the contexts stop: handlers not
// yet run are dropped), join(). The contexts themselves live until the pool is destroyed, so
// handlers posted after stop() (a flusher answering late) land in a queue nobody runs.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace brook::net {

class io_pool {
 public:
  // `threads` contexts (0 or less: one per core). `name` names the threads in the process
  // listing as "<name>-<i>" (at most 15 characters in all).
  io_pool(std::string name, int threads);
  ~io_pool();  // stop() and join()
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  // Starts one thread per context. Work posted before runs now.
  void start();
  // Stops every context; returns without waiting (callable from a pool thread).
  void stop();
  // Waits for the threads (not from a pool thread).
  void join();

  size_t size() const { return _contexts.size(); }
  boost::asio::io_context& at(size_t i) { return *_contexts[i]; }
  // The contexts in turn, from any thread.
  boost::asio::io_context& next();
  boost::asio::any_io_executor next_executor() { return next().get_executor(); }

 private:
  const std::string _name;
  std::vector<std::unique_ptr<boost::asio::io_context>> _contexts;
  std::vector<std::thread> _threads;
  std::atomic<size_t> _next{0};
};

}  // namespace brook::net
