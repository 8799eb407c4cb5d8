#include "storage/log_manager.h"

#include <gtest/gtest.h>

#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

TEST(LogManager, OpensEveryPartitionDirectoryAndIgnoresOthers) {
  test::temp_dir dir;
  {
    log_manager m({dir.path(), {}});
    ASSERT_TRUE(m.open_all());
    for (int p = 0; p < 3; ++p) {
      auto log = m.get_or_create("events", p);
      ASSERT_TRUE(log);
      auto b = test::make_batch("m" + std::to_string(p), p + 1);
      ASSERT_TRUE((*log)->append_and_wait(test::bytes_of(b)));
    }
    ASSERT_TRUE(m.close_all());
  }
  std::filesystem::create_directories(dir / "not a partition");
  log_manager m({dir.path(), {}});
  auto summary = m.open_all();
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->partitions, 3u);
  EXPECT_EQ(summary->clean, 3u);
  for (int p = 0; p < 3; ++p) {
    auto log = m.find("events", p);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->high_watermark(), p + 1);
  }
  EXPECT_EQ(m.find("events", 3), nullptr);
}

TEST(LogManager, ConcurrentAppendsToManyPartitionsShareFlushRounds) {
  test::temp_dir dir;
  log_manager m({dir.path(), {}});
  ASSERT_TRUE(m.open_all());
  std::vector<std::thread> threads;
  for (int p = 0; p < 8; ++p) {
    threads.emplace_back([&, p] {
      auto log = *m.get_or_create("multi", p);
      for (int i = 0; i < 30; ++i) {
        auto b = test::make_batch("p" + std::to_string(p));
        ASSERT_TRUE(log->append_and_wait(test::bytes_of(b)));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(m.find("multi", p)->high_watermark(), 30);
  }
  // One round can flush several partitions: fewer rounds than appends.
  EXPECT_LT(m.log_flusher().rounds(), 8u * 30u);
}

}  // namespace
}  // namespace brook::storage
