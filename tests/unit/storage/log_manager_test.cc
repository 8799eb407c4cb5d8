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

// Fills `partitions` partitions of "events" with `batches` batches each, optionally takes
// a checkpoint of every one, and copies the data directory to `crashed` as a crash would
// leave it (no clean close: no markers, the indexes as the checkpoint wrote them).
void crash_with(const std::filesystem::path& dir, const std::filesystem::path& crashed,
                int partitions, int batches, bool checkpoint) {
  log_manager m({dir, {}});
  ASSERT_TRUE(m.open_all());
  for (int p = 0; p < partitions; ++p) {
    auto log = m.get_or_create("events", p);
    ASSERT_TRUE(log);
    for (int i = 0; i < batches; ++i) {
      auto b = test::make_batch("m" + std::to_string(p) + "." + std::to_string(i), 3, 200);
      ASSERT_TRUE((*log)->append_and_wait(test::bytes_of(b)));
    }
  }
  if (checkpoint) {
    EXPECT_EQ(m.checkpoint_all(), static_cast<size_t>(partitions));
    EXPECT_EQ(m.checkpoint_all(), 0u);  // nothing new
  }
  std::filesystem::copy(dir, crashed, std::filesystem::copy_options::recursive);
  std::filesystem::remove(crashed / ".lock");
}

TEST(LogManager, RecoversPartitionsInParallelFromTheirCheckpoints) {
  for (bool checkpoint : {false, true}) {
    test::temp_dir dir;
    crash_with(dir / "live", dir / "crashed", 40, 30, checkpoint);
    log_manager m({dir / "crashed", {}, 4});
    auto summary = m.open_all();
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->partitions, 40u);
    EXPECT_EQ(summary->clean, 0u);
    EXPECT_EQ(summary->segments_scanned, 0u);
    uint64_t total = 0;
    for (int p = 0; p < 40; ++p) {
      auto log = m.find("events", p);
      ASSERT_TRUE(log);
      EXPECT_EQ(log->high_watermark(), 90);
      EXPECT_EQ(test::read_all_batches(*log).size(), 30u);
      total += log->size_bytes();
    }
    if (checkpoint) {
      // Only the bytes after each partition's last index entry (4096 bytes apart).
      EXPECT_LE(summary->bytes_scanned, 40u * 4096 + 40u * 1024) << total;
      EXPECT_LT(summary->bytes_scanned, total / 2);
    } else {
      EXPECT_EQ(summary->bytes_scanned, total);
    }
  }
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

// The cleaner's round: only compacted logs that are due are cleaned; a stop request ends
// the rounds.
TEST(LogManager, CleanAllCleansTheCompactedLogsThatAreDue) {
  test::temp_dir dir;
  log_config small;
  small.segment_bytes = 4096;
  log_manager m({dir.path(), small});
  ASSERT_TRUE(m.open_all());
  log_config compacted = small;
  compacted.cleanup_compact = true;
  auto c = m.get_or_create("compacted", 0, &compacted);
  auto d = m.get_or_create("plain", 0);
  ASSERT_TRUE(c && d);
  for (int i = 0; i < 100; ++i) {
    for (auto* log : {&*c, &*d}) {
      auto b = test::make_batch("v" + std::to_string(i), 3, 200);  // keys k0, k1, k2
      ASSERT_TRUE((*log)->append_and_wait(test::bytes_of(b)));
    }
  }
  auto records = [](const partition_log& log) {
    size_t n = 0;
    for (const auto& b : test::read_all_batches(log)) {
      n += static_cast<size_t>(
          protocol::batch_header::decode(std::as_bytes(std::span(b))).records_count);
    }
    return n;
  };
  ASSERT_EQ(records(**c), 300u);
  EXPECT_EQ(m.clean_all(), 1u);
  EXPECT_LT(records(**c), 100u);  // the sealed part holds each key once
  EXPECT_EQ(records(**d), 300u);
  EXPECT_GT((*c)->cleaner_checkpoint(), 0);
  EXPECT_EQ(m.clean_all(), 0u);  // nothing dirty since
  // More records make it due again, but a stopped cleaner does nothing.
  for (int i = 0; i < 100; ++i) {
    auto b = test::make_batch("w" + std::to_string(i), 3, 200);
    ASSERT_TRUE((*c)->append_and_wait(test::bytes_of(b)));
  }
  m.stop_cleaning();
  EXPECT_EQ(m.clean_all(), 0u);
  ASSERT_TRUE(m.close_all());
}

}  // namespace
}  // namespace brook::storage
