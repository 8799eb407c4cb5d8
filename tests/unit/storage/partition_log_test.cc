#include "storage/partition_log.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <thread>

#include "base/big_endian.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

using test::bytes_of;
using test::make_batch;

class PartitionLog : public ::testing::Test {
 protected:
  std::shared_ptr<partition_log> open(log_config c = {}) {
    auto log = partition_log::open(dir / "t-0", c, flush);
    EXPECT_TRUE(log) << log.error().message();
    return log ? *log : nullptr;
  }
  test::temp_dir dir;
  flusher flush;
};

TEST_F(PartitionLog, AppendAssignsContiguousOffsetsAndReadsBackExactBytes) {
  auto log = open();
  std::vector<std::string> sent;
  for (int i = 0; i < 10; ++i) {
    auto b = make_batch("b" + std::to_string(i), 3);
    auto r = log->append_and_wait(bytes_of(b));
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->base_offset, i * 3);
    EXPECT_EQ(r->last_offset, i * 3 + 2);
    sent.push_back(b);  // b now carries its assigned base offset
  }
  EXPECT_EQ(log->high_watermark(), 30);
  EXPECT_EQ(log->log_end_offset(), 30);
  auto got = test::read_all_batches(*log);
  EXPECT_EQ(got, sent);
}

TEST_F(PartitionLog, SeveralBatchesInOneAppend) {
  auto log = open();
  auto buf = make_batch("a", 2) + make_batch("b", 5);
  auto r = log->append_and_wait(bytes_of(buf));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->base_offset, 0);
  EXPECT_EQ(r->last_offset, 6);
  auto got = test::read_all_batches(*log);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(test::first_value(got[1]).substr(0, 3), "b-0");
  EXPECT_EQ(protocol::batch_header::decode(std::as_bytes(std::span(got[1]))).base_offset, 2);
}

TEST_F(PartitionLog, ReadFromTheMiddleOfABatchReturnsThatBatch) {
  auto log = open();
  for (int i = 0; i < 3; ++i) {
    auto b = make_batch("x" + std::to_string(i), 10);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  auto r = log->read(15, 1);
  ASSERT_TRUE(r);
  auto bytes = test::read_range(*r);
  auto h = protocol::batch_header::decode(std::as_bytes(std::span(bytes)));
  EXPECT_EQ(h.base_offset, 10);
  EXPECT_EQ(bytes.size(), h.total_size());  // max_bytes 1: still one whole batch
}

// Fetch's rule for partitions after the first with data: a first batch larger than
// max_bytes is left out, whole batches that fit still come.
TEST_F(PartitionLog, ReadCanLeaveOutAnOversizedFirstBatch) {
  auto log = open();
  for (int i = 0; i < 3; ++i) {
    auto b = make_batch("z" + std::to_string(i), 10);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  using oversized = storage::partition_log::oversized_first_batch;
  auto none = log->read(0, 1, oversized::left_out);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->length, 0u);
  auto one = log->read(0, 1, oversized::returned);
  ASSERT_TRUE(one);
  const auto batch_size = one->length;
  auto fits = log->read(0, batch_size * 2 + 1, oversized::left_out);
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->length, batch_size * 2);
  auto zero = log->read(10, 0, oversized::left_out);
  ASSERT_TRUE(zero);
  EXPECT_EQ(zero->length, 0u);
}

TEST_F(PartitionLog, ReadIsBatchAlignedAndBoundedByMaxBytes) {
  auto log = open();
  size_t one = 0;
  for (int i = 0; i < 50; ++i) {
    auto b = make_batch("y" + std::to_string(i), 1, 1000);
    one = b.size();
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  auto r = log->read(0, one * 10 + one / 2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->length, one * 10);
  auto all = log->read(0, 1 << 30);
  EXPECT_EQ(all->length, one * 50);
}

TEST_F(PartitionLog, OutOfRangeReads) {
  auto log = open();
  auto b = make_batch("z");
  ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  EXPECT_EQ(log->read(2, 100).error(), errc::offset_out_of_range);
  EXPECT_EQ(log->read(-1, 100).error(), errc::offset_out_of_range);
  auto at_end = log->read(1, 100);
  ASSERT_TRUE(at_end);
  EXPECT_EQ(at_end->length, 0u);
}

TEST_F(PartitionLog, InvalidBatchesAreRefusedAndNothingIsWritten) {
  auto log = open();
  auto good = make_batch("good");
  ASSERT_TRUE(log->append_and_wait(bytes_of(good)));
  auto bad_crc = make_batch("bad");
  bad_crc.back() ^= 1;
  EXPECT_EQ(log->append_and_wait(bytes_of(bad_crc)).error(), protocol::batch_errc::bad_crc);
  auto bad_magic = make_batch("bad");
  bad_magic[protocol::batch_layout::magic] = 0;
  EXPECT_EQ(log->append_and_wait(bytes_of(bad_magic)).error(), protocol::batch_errc::bad_magic);
  // A good batch followed by a truncated one: the whole append is refused.
  auto mixed = make_batch("ok") + make_batch("cut").substr(0, 40);
  EXPECT_EQ(log->append_and_wait(bytes_of(mixed)).error(), protocol::batch_errc::truncated);
  std::string empty;
  EXPECT_EQ(log->append_and_wait(bytes_of(empty)).error(), errc::empty_append);
  EXPECT_EQ(log->log_end_offset(), 1);
  EXPECT_EQ(log->size_bytes(), good.size());
}

TEST_F(PartitionLog, BatchAboveMaxMessageBytesIsRefused) {
  log_config c;
  c.max_message_bytes = 2000;
  auto log = open(c);
  auto big = make_batch("big", 1, 5000);
  EXPECT_EQ(log->append_and_wait(bytes_of(big)).error(), errc::batch_too_large);
  EXPECT_EQ(log->log_end_offset(), 0);
}

TEST_F(PartitionLog, RollsBySizeAndReadsAcrossSegments) {
  log_config c;
  c.segment_bytes = 4096;
  auto log = open(c);
  std::vector<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    auto b = make_batch("r" + std::to_string(i), 2, 500);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
    sent.push_back(b);
  }
  EXPECT_GT(log->segment_count(), 5u);
  for (const auto& e : std::filesystem::directory_iterator(dir / "t-0")) {
    auto name = e.path().filename().string();
    if (auto base = names::parse_log_file(name)) {
      EXPECT_LE(std::filesystem::file_size(e.path()), 4096u) << name;
    }
  }
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(PartitionLog, RollsByAge) {
  log_config c;
  c.segment_ms = std::chrono::milliseconds(100);
  auto log = open(c);
  // As in Kafka, age is measured between batch timestamps: the first batch's and the new one's.
  auto a = make_batch("a", 1, 16, 10'000);
  ASSERT_TRUE(log->append_and_wait(bytes_of(a)));
  auto b = make_batch("b", 1, 16, 10'050);
  ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  EXPECT_EQ(log->segment_count(), 1u);
  auto c2 = make_batch("c", 1, 16, 10'100);
  ASSERT_TRUE(log->append_and_wait(bytes_of(c2)));
  EXPECT_EQ(log->segment_count(), 2u);
  EXPECT_TRUE(std::filesystem::exists(names::log_file(dir / "t-0", 2)));
  auto d = make_batch("d", 1, 16, 10'150);
  ASSERT_TRUE(log->append_and_wait(bytes_of(d)));
  EXPECT_EQ(log->segment_count(), 2u);
}

TEST_F(PartitionLog, OneAppendWithTooManyOffsetsIsRefused) {
  auto log = open();
  auto b = make_batch("many");
  be::store<int32_t>(bytes_of(b).data() + protocol::batch_layout::last_offset_delta, 1 << 30);
  be::store<int32_t>(bytes_of(b).data() + protocol::batch_layout::records_count, (1 << 30) + 1);
  be::store<uint32_t>(bytes_of(b).data() + protocol::batch_layout::crc,
                      protocol::compute_batch_crc(bytes_of(b)));
  EXPECT_FALSE(log->append_and_wait(bytes_of(b)));
  EXPECT_EQ(log->log_end_offset(), 0);
}

TEST_F(PartitionLog, TimeIndexKeepsTheLargestTimestampAcrossReopen) {
  log_config c;
  c.index_interval_bytes = 1 << 20;  // no index entries while appending
  {
    auto log = open(c);
    for (int i = 0; i < 5; ++i) {
      auto b = make_batch("ts" + std::to_string(i), 1, 16, 1000 + i * 100);
      ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
    }
    ASSERT_TRUE(log->close());
  }
  auto log = open(c);
  EXPECT_EQ(log->max_timestamp()->first, 1400);
  EXPECT_EQ(log->offset_for_timestamp(1350), 4);
}

// The inode of a file: write_file_atomically gives a rewritten file a new one.
ino_t inode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

TEST_F(PartitionLog, CloseRewritesIndexesOnlyForWhatChangedSinceTheLastCheckpoint) {
  log_config c;
  c.index_interval_bytes = 1 << 20;  // the largest timestamp only in the sealed time index
  auto index = names::index_file(dir / "t-0", 0);
  auto time_index = names::time_index_file(dir / "t-0", 0);
  auto reopen = [&] {
    open_report report;
    auto log = partition_log::open(dir / "t-0", c, flush, &report);
    EXPECT_TRUE(log);
    EXPECT_TRUE(report.clean_shutdown);
    return log ? *log : nullptr;
  };
  {
    // A new partition closed without a record: its creation's indexes stand.
    auto log = open(c);
    auto created = inode_of(index);
    ASSERT_TRUE(log->close());
    EXPECT_EQ(inode_of(index), created);
  }
  {
    auto log = reopen();
    for (int i = 0; i < 3; ++i) {
      auto b = make_batch("r" + std::to_string(i), 1, 16, 2000 + i * 100);
      ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
    }
    auto before = inode_of(time_index);
    ASSERT_TRUE(log->close());
    EXPECT_NE(inode_of(time_index), before);  // records came: written again
  }
  for (int round = 0; round < 2; ++round) {
    // Opened and closed with nothing new: the files of the last close are kept, and they
    // still describe the whole log.
    auto log = reopen();
    auto before = std::make_pair(inode_of(index), inode_of(time_index));
    EXPECT_EQ(log->log_end_offset(), 3);
    EXPECT_EQ(log->max_timestamp()->first, 2200);
    EXPECT_EQ(log->offset_for_timestamp(2150), 2);
    EXPECT_EQ(test::read_all_batches(*log).size(), 3u);
    ASSERT_TRUE(log->close());
    EXPECT_EQ(std::make_pair(inode_of(index), inode_of(time_index)), before);
  }
  {
    // A recovery checkpoint with nothing new since leaves the close nothing to write either.
    auto log = reopen();
    auto late = make_batch("late", 1, 16, 2500);
    ASSERT_TRUE(log->append_and_wait(bytes_of(late)));
    ASSERT_TRUE(log->checkpoint());
    auto before = inode_of(time_index);
    ASSERT_TRUE(log->close());
    EXPECT_EQ(inode_of(time_index), before);
  }
  auto log = reopen();
  EXPECT_EQ(log->log_end_offset(), 4);
  EXPECT_EQ(log->max_timestamp()->first, 2500);
  EXPECT_EQ(log->offset_for_timestamp(2300), 3);
}

TEST_F(PartitionLog, OffsetForTimestampUsesTheTimeIndex) {
  log_config c;
  c.index_interval_bytes = 1;  // an index entry for every batch
  c.segment_bytes = 8192;
  auto log = open(c);
  for (int i = 0; i < 100; ++i) {
    auto b = make_batch("t" + std::to_string(i), 1, 100, 1000 + i * 10);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  EXPECT_EQ(log->offset_for_timestamp(0), 0);
  EXPECT_EQ(log->offset_for_timestamp(1000), 0);
  EXPECT_EQ(log->offset_for_timestamp(1001), 1);
  EXPECT_EQ(log->offset_for_timestamp(1500), 50);
  EXPECT_EQ(log->offset_for_timestamp(1990), 99);
  EXPECT_EQ(log->offset_for_timestamp(1991), std::nullopt);
  auto max = log->max_timestamp();
  ASSERT_TRUE(max);
  EXPECT_EQ(max->first, 1990);
  EXPECT_EQ(max->second, 99);
}

TEST_F(PartitionLog, TimestampAtIsTheTimestampOfTheRecordAtTheOffset) {
  log_config c;
  c.index_interval_bytes = 1;
  c.segment_bytes = 4096;  // several segments
  auto log = open(c);
  uint64_t bytes = 0;
  for (int i = 0; i < 30; ++i) {  // batch i holds offsets 3i .. 3i+2, 1 ms apart
    auto b = make_batch("ts" + std::to_string(i), 3, 40, 1000 + i * 10);
    bytes += b.size();
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  ASSERT_GT(log->segment_count(), 1u);
  EXPECT_EQ(log->timestamp_at(0), 1000);
  EXPECT_EQ(log->timestamp_at(3), 1010);  // a batch's first record: its header says
  EXPECT_EQ(log->timestamp_at(4), 1011);  // inside a batch: the record's own
  EXPECT_EQ(log->timestamp_at(5), 1012);
  EXPECT_EQ(log->timestamp_at(6), 1020);
  EXPECT_EQ(log->timestamp_at(89), 1292);
  EXPECT_EQ(log->timestamp_at(90), std::nullopt);  // the high watermark: nothing there yet
  EXPECT_EQ(log->timestamp_at(1000), std::nullopt);
  // Below the log start: the first record kept.
  ASSERT_TRUE(log->delete_records_before(31));
  EXPECT_EQ(log->timestamp_at(0), 1101);  // offset 31, the second record of its batch
  // What went in.
  EXPECT_EQ(log->traffic().records_in.value(), 90u);
  EXPECT_EQ(log->traffic().batches_in.value(), 30u);
  EXPECT_EQ(log->traffic().bytes_in.value(), bytes);
}

TEST_F(PartitionLog, LogAppendTimeRewritesTheTimestamp) {
  auto log = open();
  auto b = make_batch("lat", 2, 16, 5);
  auto r = log->append_and_wait(bytes_of(b), {.log_append_time = true});
  ASSERT_TRUE(r);
  EXPECT_GT(r->log_append_time_ms, 1'600'000'000'000);
  auto got = test::read_all_batches(*log);
  auto h = protocol::validate_batch(std::as_bytes(std::span(got[0])), 1 << 20);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->log_append_time());
  EXPECT_EQ(h->max_timestamp, r->log_append_time_ms);
}

TEST_F(PartitionLog, RetentionBySizeDeletesOldestSegments) {
  log_config c;
  c.segment_bytes = 2048;
  c.retention_bytes = 4096;
  auto log = open(c);
  for (int i = 0; i < 40; ++i) {
    auto b = make_batch("s" + std::to_string(i), 1, 400);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  auto before = log->segment_count();
  auto r = log->enforce_retention(partition_log::clock::now());
  ASSERT_TRUE(r);
  EXPECT_GT(r->segments_deleted, 0);
  EXPECT_EQ(log->segment_count(), before - static_cast<size_t>(r->segments_deleted));
  EXPECT_LE(log->size_bytes(), 4096u + 2048u);
  EXPECT_GT(log->log_start_offset(), 0);
  EXPECT_EQ(log->read(0, 100).error(), errc::offset_out_of_range);
  auto rest = test::read_all_batches(*log);
  EXPECT_EQ(static_cast<int64_t>(rest.size()), 40 - log->log_start_offset());
}

TEST_F(PartitionLog, RetentionByAgeKeepsTheActiveSegment) {
  log_config c;
  c.segment_bytes = 2048;
  c.retention_ms = std::chrono::hours(1);
  auto log = open(c);
  for (int i = 0; i < 20; ++i) {
    auto b = make_batch("old" + std::to_string(i), 1, 400, 1000);  // 1970: expired
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  auto r = log->enforce_retention(partition_log::clock::now());
  ASSERT_TRUE(r);
  EXPECT_EQ(log->segment_count(), 1u);
  EXPECT_EQ(log->high_watermark(), 20);
  auto more = make_batch("new");
  EXPECT_EQ(log->append_and_wait(bytes_of(more))->base_offset, 20);
}

TEST_F(PartitionLog, DeleteRecordsMovesLogStartDurably) {
  log_config c;
  c.segment_bytes = 2048;
  {
    auto log = open(c);
    for (int i = 0; i < 30; ++i) {
      auto b = make_batch("d" + std::to_string(i), 1, 400);
      ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
    }
    EXPECT_EQ(log->delete_records_before(31).error(), errc::offset_out_of_range);
    ASSERT_TRUE(log->delete_records_before(17));
    EXPECT_EQ(log->log_start_offset(), 17);
    EXPECT_EQ(log->read(16, 10).error(), errc::offset_out_of_range);
    auto first = test::read_all_batches(*log);
    EXPECT_EQ(protocol::batch_header::decode(std::as_bytes(std::span(first[0]))).base_offset, 17);
    ASSERT_TRUE(log->close());
  }
  auto again = open(c);
  EXPECT_EQ(again->log_start_offset(), 17);
  EXPECT_EQ(again->high_watermark(), 30);
}

TEST_F(PartitionLog, WaitersWakeWhenDataArrives) {
  auto log = open();
  std::atomic<int> woken{0};
  auto id = log->wait_for_data(0, [&] { woken++; });
  EXPECT_NE(id, 0u);
  auto cancelled = log->wait_for_data(0, [&] { woken += 100; });
  log->cancel_wait(cancelled);
  EXPECT_EQ(woken.load(), 0);
  auto b = make_batch("w");
  ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  EXPECT_EQ(woken.load(), 1);
  EXPECT_EQ(log->wait_for_data(0, [&] { woken++; }), 0u);  // already satisfied
}

TEST_F(PartitionLog, SyncModeCompletesOnlyAfterFlushAndGroupsCommits) {
  auto log = open();
  constexpr int threads = 8;
  constexpr int per_thread = 50;
  std::vector<std::thread> ts;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto b = make_batch("g" + std::to_string(t) + "-" + std::to_string(i));
        auto r = log->append_and_wait(bytes_of(b));
        if (!r || log->high_watermark() <= r->last_offset) {
          failures++;  // acknowledged before visible means acknowledged before flushed
        }
      }
    });
  }
  for (auto& t : ts) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(log->high_watermark(), threads * per_thread);
  // Concurrent writers share flushes: fewer flushes than appends.
  EXPECT_LT(flush.flushes(), static_cast<uint64_t>(threads * per_thread));
}

TEST_F(PartitionLog, IntervalModeAcknowledgesAtOnceAndFlushesLater) {
  log_config c;
  c.durability = durability::interval;
  c.flush_interval = std::chrono::milliseconds(10);
  auto log = open(c);
  auto b = make_batch("i");
  auto r = log->append_and_wait(bytes_of(b));
  ASSERT_TRUE(r);
  EXPECT_EQ(log->high_watermark(), 1);
  ASSERT_TRUE(log->close());
  auto again = open(c);
  EXPECT_EQ(again->high_watermark(), 1);
}

TEST_F(PartitionLog, AppendAfterCloseFails) {
  auto log = open();
  ASSERT_TRUE(log->close());
  auto b = make_batch("late");
  EXPECT_EQ(log->append_and_wait(bytes_of(b)).error(), errc::log_closed);
}

TEST_F(PartitionLog, ConcurrentReadersSeeOnlyWholeBatches) {
  auto log = open();
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!done) {
      auto hw = log->high_watermark();
      if (hw == 0) {
        continue;
      }
      auto r = log->read(0, 1 << 20);
      if (!r) {
        bad++;
        continue;
      }
      auto bytes = test::read_range(*r);
      size_t pos = 0;
      while (pos < bytes.size()) {
        auto h = protocol::validate_batch(std::as_bytes(std::span(bytes)).subspan(pos), 1 << 20);
        if (!h) {
          bad++;
          break;
        }
        pos += h->total_size();
      }
    }
  });
  for (int i = 0; i < 300; ++i) {
    auto b = make_batch("c" + std::to_string(i), 2, 200);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(PartitionLog, InvalidConfigIsRefused) {
  log_config c;
  c.segment_bytes = 10;
  auto log = partition_log::open(dir / "t-0", c, flush);
  EXPECT_EQ(log.error(), errc::invalid_config);
}

}  // namespace
}  // namespace brook::storage
