// io_pool: one thread per context, work handed out in turn, stop and join.
#include "net/io_pool.h"

#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include <boost/asio/post.hpp>

namespace brook::net {
namespace {

TEST(IoPool, HandsOutTheContextsInTurn) {
  io_pool pool("test-io", 3);
  ASSERT_EQ(pool.size(), 3u);
  std::vector<boost::asio::io_context*> seen;
  for (int i = 0; i < 6; ++i) {
    seen.push_back(&pool.next());
  }
  EXPECT_NE(seen[0], seen[1]);
  EXPECT_NE(seen[1], seen[2]);
  EXPECT_NE(seen[0], seen[2]);
  EXPECT_EQ(seen[0], seen[3]);
  EXPECT_EQ(seen[1], seen[4]);
  EXPECT_EQ(seen[2], seen[5]);
}

TEST(IoPool, EachContextRunsOnAThreadOfItsOwn) {
  io_pool pool("test-io", 3);
  pool.start();
  std::set<std::thread::id> threads;
  for (size_t i = 0; i < pool.size(); ++i) {
    std::promise<std::thread::id> p;
    boost::asio::post(pool.at(i), [&p] { p.set_value(std::this_thread::get_id()); });
    threads.insert(p.get_future().get());
  }
  EXPECT_EQ(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
  pool.stop();
  pool.join();
}

TEST(IoPool, WorkPostedBeforeStartRunsOnceStarted) {
  io_pool pool("test-io", 1);
  std::promise<void> ran;
  boost::asio::post(pool.next(), [&ran] { ran.set_value(); });
  pool.start();
  EXPECT_EQ(ran.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

TEST(IoPool, ZeroThreadsMeansOnePerCore) {
  io_pool pool("test-io", 0);
  EXPECT_EQ(pool.size(), std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace
}  // namespace brook::net
