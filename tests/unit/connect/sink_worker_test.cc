// sink_worker over the local backend of an in-process broker, with sinks whose destination
// fails on cue: when a failing destination ends the task (FAILED after errors.retry.timeout)
// and when a destination that comes back clears the failure.
#include "connect/sink_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "backend/local_backend.h"
#include "support/broker_fixture.h"
#include "support/sync_backend.h"

namespace brook::connect {
namespace {

using namespace std::chrono_literals;

// What the sinks of one test did, across the sinks the worker makes and drops.
struct destination {
  std::atomic<int> flushes_to_fail{0};  // -1: every flush fails
  std::atomic<int> failed_flushes{0};
  std::atomic<int64_t> durable{0};  // the next offset of partition 0 held durably
};

class test_sink final : public sink {
 public:
  explicit test_sink(destination& d) : _d(d) {}
  sink_result<std::optional<int64_t>> resume_offset(const topic_partition& /*tp*/) override {
    return std::optional<int64_t>(_d.durable.load());
  }
  sink_result<std::vector<rejected_record>> put(std::span<const consumed_record> records) override {
    for (const auto& r : records) {
      _next = r.offset + 1;
    }
    return std::vector<rejected_record>{};
  }
  sink_result<std::map<topic_partition, int64_t>> flush() override {
    const int left = _d.flushes_to_fail.load();
    if (left != 0 && _next > _d.durable.load()) {
      if (left > 0) {
        _d.flushes_to_fail -= 1;
      }
      _d.failed_flushes += 1;
      return unexpected(sink_error{"destination down"});
    }
    if (_next == 0) {
      return std::map<topic_partition, int64_t>{};  // took nothing yet
    }
    _d.durable = std::max(_d.durable.load(), _next);
    return std::map<topic_partition, int64_t>{{{"events", 0}, _d.durable.load()}};
  }

 private:
  destination& _d;
  int64_t _next = 0;
};

broker::group::group_config quick_groups() {
  broker::group::group_config c;
  c.initial_rebalance_delay_ms = 0;
  return c;
}

struct harness : test::broker_fixture {
  std::unique_ptr<backend::local_backend> events;
  destination dest;
  std::unique_ptr<sink_worker> worker;

  // An empty group rebalances at once (the worker rejoins after each failure).
  harness() : broker_fixture({}, quick_groups()) {
    events = std::make_unique<backend::local_backend>(*b);
    auto made = test::sync_backend{*events}.create_topic({"events", 1, -1, {}, false});
    EXPECT_TRUE(made.has_value());
    std::vector<backend::produce_record> records(5);
    for (auto& r : records) {
      r.value = std::string("a record");
    }
    std::promise<std::vector<backend::produce_result>> produced;
    events->produce("events", std::move(records),
                    [&produced](auto r) { produced.set_value(std::move(r)); });
    for (const auto& r : produced.get_future().get()) {
      EXPECT_FALSE(r.error.has_value());
    }
  }
  ~harness() {
    if (worker) {
      worker->stop();
    }
    worker.reset();
    events->stop();
    events.reset();
  }
  harness(const harness&) = delete;
  harness& operator=(const harness&) = delete;

  void start(std::chrono::milliseconds retry_timeout, std::chrono::milliseconds flush_interval) {
    worker_settings s;
    s.name = "test";
    s.topics = {"events"};
    s.retry_timeout = retry_timeout;
    s.retry_delay_max = 200ms;
    s.flush_interval = flush_interval;
    worker = std::make_unique<sink_worker>(
        *events, s,
        [this]() -> sink_result<std::unique_ptr<sink>> {
          return std::unique_ptr<sink>(std::make_unique<test_sink>(dest));
        },
        false);
  }

  // The worker's status once `done` holds of it, or the last one seen after `within`.
  worker_status status_when(const std::function<bool(const worker_status&)>& done,
                            std::chrono::seconds within = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    auto s = worker->status();
    while (!done(s) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(10ms);  // polling the status, as a user would
      s = worker->status();
    }
    return s;
  }
};

TEST(SinkWorker, FailsForGoodWhenEveryFlushFailsAlthoughPutsSucceed) {
  // Records keep going into the sink after each reconnection; only its flush fails. That is
  // not recovery: the task must end FAILED once errors.retry.timeout has passed.
  harness h;
  h.dest.flushes_to_fail = -1;
  h.start(1000ms, 300ms);
  auto s = h.status_when([](const auto& st) { return st.state == task_state::failed; });
  ASSERT_EQ(s.state, task_state::failed) << "last error: " << s.last_error;
  EXPECT_EQ(s.trace, "destination down");
  EXPECT_GE(h.dest.failed_flushes.load(), 2);
  EXPECT_EQ(h.dest.durable.load(), 0);
}

TEST(SinkWorker, ADestinationThatComesBackClearsTheFailure) {
  harness h;
  h.dest.flushes_to_fail = 2;
  h.start(60000ms, 50ms);
  auto s = h.status_when(
      [&h](const auto& st) { return h.dest.durable.load() == 5 && st.last_error.empty(); });
  EXPECT_EQ(h.dest.durable.load(), 5);
  EXPECT_EQ(s.state, task_state::running);
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(h.dest.failed_flushes.load(), 2);
  EXPECT_EQ(s.retries, 2U);
}

TEST(SinkWorker, NeverFailsForGoodWhenRetryingForever) {
  // errors.retry.timeout -1: retries go on (with the backoff capped) and the error shows.
  harness h;
  h.dest.flushes_to_fail = -1;
  h.start(-1ms, 50ms);
  auto s = h.status_when([](const auto& st) { return st.retries >= 3; });
  EXPECT_EQ(s.state, task_state::running);
  EXPECT_EQ(s.last_error, "destination down");
}

}  // namespace
}  // namespace brook::connect
