// long_poll, the one fetch wait policy: a poll is answered when a watched log's high
// watermark moves, at its deadline, or at once on expire(); its final attempt runs exactly
// once, and every attempt runs on its executor.
#include "broker/service/long_poll.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "support/batches.h"
#include "support/broker_fixture.h"

namespace brook::broker {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

// An executor with one thread, as a connection's.
struct io_thread {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~io_thread() {
    work.reset();
    thread.join();
  }
};

struct poll_fixture : test::broker_fixture {
  io_thread io;
  std::shared_ptr<storage::partition_log> log;

  poll_fixture() {
    topic_request r;
    r.name = "t";
    r.partitions = 1;
    EXPECT_TRUE(b->topic_admin().create(r).has_value());
    log = b->topics().find("t")->partition(0);
  }

  void append(const std::string& tag) {
    std::string batch = test::make_batch(tag);
    std::promise<void> done;
    b->appender().append(*b->topics().find("t"), 0, test::bytes_of(batch), -1,
                         [&done](protocol::kafka_result<appended> r) {
                           EXPECT_TRUE(r.has_value());
                           done.set_value();
                         });
    done.get_future().get();
  }
};

// Attempts that count themselves and report whether they ran final.
struct recorder {
  std::atomic<int> attempts{0};
  std::atomic<int> finals{0};
  std::promise<bool> answered;  // true: answered by a final attempt
};

TEST(LongPoll, AnAppendWakesThePollBeforeItsDeadline) {
  poll_fixture f;
  auto r = std::make_shared<recorder>();
  auto started = std::chrono::steady_clock::now();
  long_poll::start(f.io.io.get_executor(), long_poll::clock::now() + 30s,
                   {{f.log, f.log->high_watermark()}},
                   [r, log = f.log](bool final) -> long_poll::attempt_result {
                     ++r->attempts;
                     if (final || log->high_watermark() > 0) {
                       r->finals += final ? 1 : 0;
                       r->answered.set_value(final);
                       return {true, {}};
                     }
                     return {false, {{log, log->high_watermark()}}};
                   });
  auto answered = r->answered.get_future();
  f.append("a");
  ASSERT_EQ(answered.wait_for(10s), std::future_status::ready);
  EXPECT_FALSE(answered.get());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 20s);
  EXPECT_EQ(r->finals, 0);
}

TEST(LongPoll, WithoutDataTheDeadlineMakesOneFinalAttempt) {
  poll_fixture f;
  auto r = std::make_shared<recorder>();
  auto started = std::chrono::steady_clock::now();
  long_poll::start(f.io.io.get_executor(), long_poll::clock::now() + 100ms, {{f.log, 0}},
                   [r](bool final) -> long_poll::attempt_result {
                     ++r->attempts;
                     EXPECT_TRUE(final) << "woken with no data";
                     r->finals += final ? 1 : 0;
                     r->answered.set_value(final);
                     return {true, {}};
                   });
  auto answered = r->answered.get_future();
  ASSERT_EQ(answered.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(answered.get());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 100ms);
  EXPECT_EQ(r->attempts, 1);
}

TEST(LongPoll, NothingToWatchWaitsForTheDeadlineWithoutSpinning) {
  poll_fixture f;
  auto r = std::make_shared<recorder>();
  long_poll::start(f.io.io.get_executor(), long_poll::clock::now() + 200ms, {},
                   [r](bool final) -> long_poll::attempt_result {
                     ++r->attempts;
                     if (final) {
                       r->answered.set_value(true);
                       return {true, {}};
                     }
                     return {false, {}};
                   });
  auto answered = r->answered.get_future();
  ASSERT_EQ(answered.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(r->attempts, 1);
}

TEST(LongPoll, ExpireAnswersAtOnceAndOnlyOnce) {
  poll_fixture f;
  auto r = std::make_shared<recorder>();
  auto poll = long_poll::start(f.io.io.get_executor(), long_poll::clock::now() + 1h, {{f.log, 0}},
                               [r](bool final) -> long_poll::attempt_result {
                                 ++r->attempts;
                                 r->finals += final ? 1 : 0;
                                 if (final) {
                                   r->answered.set_value(true);
                                 }
                                 return {final, {}};
                               });
  poll->expire();
  poll->expire();
  auto answered = r->answered.get_future();
  ASSERT_EQ(answered.wait_for(10s), std::future_status::ready);
  f.append("late");  // a wake after the answer does nothing
  // Run a marker through the executor: everything posted before it has run.
  std::promise<void> drained;
  asio::post(f.io.io, [&drained] { drained.set_value(); });
  drained.get_future().get();
  EXPECT_EQ(r->finals, 1);
  EXPECT_EQ(r->attempts, 1);
}

TEST(LongPoll, ManyPollsRacingAppendsAndDeadlinesAreEachAnsweredOnce) {
  poll_fixture f;
  constexpr int polls = 200;
  std::atomic<int> answers{0};
  std::vector<std::shared_ptr<std::atomic<int>>> per_poll;
  std::promise<void> all;
  for (int i = 0; i < polls; ++i) {
    auto count = std::make_shared<std::atomic<int>>(0);
    per_poll.push_back(count);
    long_poll::start(f.io.io.get_executor(),
                     long_poll::clock::now() + std::chrono::milliseconds(i % 20),
                     {{f.log, f.log->high_watermark()}},
                     [&, count, log = f.log](bool final) -> long_poll::attempt_result {
                       if (final || log->high_watermark() > 0) {
                         ++*count;
                         if (++answers == polls) {
                           all.set_value();
                         }
                         return {true, {}};
                       }
                       return {false, {{log, 0}}};
                     });
  }
  f.append("x");
  ASSERT_EQ(all.get_future().wait_for(20s), std::future_status::ready);
  std::promise<void> drained;
  asio::post(f.io.io, [&drained] { drained.set_value(); });
  drained.get_future().get();
  for (const auto& c : per_poll) {
    EXPECT_EQ(c->load(), 1);
  }
}

}  // namespace
}  // namespace brook::broker
