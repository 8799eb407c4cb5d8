#include "broker/service/long_poll.h"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "storage/partition_log.h"

namespace brook::broker {

namespace asio = boost::asio;

long_poll::long_poll(asio::any_io_executor executor, clock::time_point deadline, attempt_fn attempt)
    : _executor(executor),
      _timer(executor),
      _deadline(std::min(deadline, clock::now() + longest_wait)),
      _attempt(std::move(attempt)) {}

std::shared_ptr<long_poll> long_poll::start(asio::any_io_executor executor,
                                            clock::time_point deadline, std::vector<watch> watches,
                                            attempt_fn attempt) {
  std::shared_ptr<long_poll> p(new long_poll(executor, deadline, std::move(attempt)));
  asio::post(p->_executor, [p, watches = std::move(watches)]() mutable {
    // The timer's handler keeps the poll alive until it answers.
    p->_timer.expires_at(p->_deadline);
    p->_timer.async_wait([p](boost::system::error_code ec) {
      if (!ec) {
        p->finish_final();
      }
    });
    p->listen(std::move(watches));
  });
  return p;
}

void long_poll::expire() {
  asio::post(_executor, [self = shared_from_this()] { self->finish_final(); });
}

void long_poll::wake() {
  asio::post(_executor, [self = shared_from_this()] { self->on_wake(); });
}

void long_poll::listen(std::vector<watch> watches) {
  if (_finished) {
    return;
  }
  std::weak_ptr<long_poll> weak = weak_from_this();
  auto executor = _executor;
  bool already = false;
  for (auto& w : watches) {
    uint64_t id = w.log->wait_for_data(w.offset, [weak, executor] {
      // Runs on the thread that moved the high watermark, maybe under the log's append
      // lock: only hand the work over.
      asio::post(executor, [weak] {
        if (auto p = weak.lock()) {
          p->on_wake();
        }
      });
    });
    if (id == 0) {
      already = true;
    } else {
      _waits.emplace_back(std::move(w.log), id);
    }
  }
  if (already) {
    // Data is there already: try again at once. (With nothing to watch, the deadline
    // answers.)
    asio::post(_executor, [self = shared_from_this()] { self->on_wake(); });
  }
}

void long_poll::on_wake() {
  if (_finished) {
    return;
  }
  stop_waiting();
  if (clock::now() >= _deadline) {
    finish_final();
    return;
  }
  auto next = _attempt(false);
  if (next.done) {
    _finished = true;
    _timer.cancel();
    _attempt = nullptr;
    return;
  }
  listen(std::move(next.watches));
}

void long_poll::finish_final() {
  if (_finished) {
    return;
  }
  _finished = true;
  stop_waiting();
  _timer.cancel();
  auto attempt = std::move(_attempt);
  attempt(true);  // final: it answers; what it would watch next does not matter
}

void long_poll::stop_waiting() {
  for (auto& [log, id] : _waits) {
    log->cancel_wait(id);
  }
  _waits.clear();
}

}  // namespace brook::broker
