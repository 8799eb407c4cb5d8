// Recovery on open: one test per way a partition directory can be found after a crash or
// damage. Each writes a real log, damages its files, reopens and checks what came back.
#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "storage/partition_log.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

using test::bytes_of;
using test::make_batch;

class Recovery : public ::testing::Test {
 protected:
  Recovery() { config.index_interval_bytes = 256; }
  std::filesystem::path pdir() const { return dir / "t-0"; }
  std::filesystem::path log0() const { return names::log_file(pdir(), 0); }

  // Writes `n` batches; closes cleanly if `clean`. Returns the batches as stored.
  std::vector<std::string> write(int n, bool clean) {
    auto log = partition_log::open(pdir(), config, flush);
    EXPECT_TRUE(log);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      auto b = make_batch("rec" + std::to_string(i), 2, 100);
      auto r = (*log)->append_and_wait(bytes_of(b));
      EXPECT_TRUE(r);
      out.push_back(b);
    }
    if (clean) {
      EXPECT_TRUE((*log)->close());
    }
    return out;
  }

  std::shared_ptr<partition_log> reopen(open_report* report = nullptr) {
    auto log = partition_log::open(pdir(), config, flush, report);
    EXPECT_TRUE(log) << log.error().message();
    return *log;
  }

  test::temp_dir dir;
  flusher flush;
  log_config config;
};

TEST_F(Recovery, CleanShutdownReopensWithoutScanning) {
  auto sent = write(50, true);
  EXPECT_TRUE(std::filesystem::exists(pdir() / names::clean_shutdown_file));
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.clean_shutdown);
  ASSERT_EQ(report.segments.size(), 1u);
  EXPECT_FALSE(report.segments[0].second.scanned);
  EXPECT_FALSE(report.segments[0].second.index_rebuilt);
  EXPECT_FALSE(std::filesystem::exists(pdir() / names::clean_shutdown_file));
  EXPECT_EQ(log->high_watermark(), 100);
  EXPECT_EQ(test::read_all_batches(*log), sent);
  auto b = make_batch("after");
  EXPECT_EQ(log->append_and_wait(bytes_of(b))->base_offset, 100);
}

TEST_F(Recovery, UncleanShutdownScansTheLastSegment) {
  auto sent = write(20, false);
  open_report report;
  auto log = reopen(&report);
  EXPECT_FALSE(report.clean_shutdown);
  EXPECT_TRUE(report.segments.back().second.scanned);
  EXPECT_EQ(report.segments.back().second.truncated_bytes, 0u);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, TornTailPartialBatchIsTruncated) {
  auto sent = write(10, false);
  auto size = test::file_size(log0());
  auto extra = make_batch("torn", 3, 300);
  test::append_to_file(log0(), extra.substr(0, extra.size() / 2));
  open_report report;
  auto log = reopen(&report);
  EXPECT_EQ(report.segments[0].second.truncated_bytes, extra.size() / 2);
  EXPECT_FALSE(report.segments[0].second.quarantined);
  EXPECT_EQ(test::file_size(log0()), size);
  EXPECT_EQ(test::read_all_batches(*log), sent);
  auto b = make_batch("next");
  EXPECT_EQ(log->append_and_wait(bytes_of(b))->base_offset, 20);
}

TEST_F(Recovery, TornTailShorterThanAHeaderIsTruncated) {
  auto sent = write(5, false);
  test::append_to_file(log0(), std::string(7, '\x01'));
  auto log = reopen();
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, ZeroFilledTailIsTruncated) {
  auto sent = write(5, false);
  auto size = test::file_size(log0());
  test::append_to_file(log0(), std::string(8192, '\0'));
  open_report report;
  auto log = reopen(&report);
  EXPECT_FALSE(report.segments[0].second.quarantined);
  EXPECT_EQ(test::file_size(log0()), size);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, GarbageTailIsTruncatedAndKept) {
  auto sent = write(5, false);
  auto size = test::file_size(log0());
  std::string garbage(5000, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) {
    garbage[i] = static_cast<char>((i * 131 + 7) % 251);
  }
  test::append_to_file(log0(), garbage);
  auto log = reopen();
  EXPECT_EQ(test::file_size(log0()), size);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, BadCrcAtTheTailIsTruncated) {
  auto sent = write(10, false);
  auto last = sent.back();
  auto size = test::file_size(log0());
  test::flip_byte(log0(), size - 5);  // inside the last batch's records
  open_report report;
  auto log = reopen(&report);
  EXPECT_EQ(report.segments[0].second.reason, protocol::batch_errc::bad_crc);
  EXPECT_EQ(report.segments[0].second.truncated_bytes, last.size());
  sent.pop_back();
  EXPECT_EQ(test::read_all_batches(*log), sent);
  EXPECT_EQ(log->log_end_offset(), 18);
}

TEST_F(Recovery, BadCrcMidSegmentCutsThereAndQuarantinesTheRest) {
  auto sent = write(10, false);
  uint64_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    pos += sent[static_cast<size_t>(i)].size();
  }
  auto size = test::file_size(log0());
  test::flip_byte(log0(), pos + 70);  // inside batch 4
  open_report report;
  auto log = reopen(&report);
  const auto& rec = report.segments[0].second;
  EXPECT_EQ(rec.reason, protocol::batch_errc::bad_crc);
  EXPECT_TRUE(rec.quarantined);
  EXPECT_EQ(rec.truncated_bytes, size - pos);
  auto corrupt = log0();
  corrupt += names::corrupt_suffix;
  ASSERT_TRUE(std::filesystem::exists(corrupt));
  EXPECT_EQ(rec.quarantine_file, corrupt);
  EXPECT_EQ(test::file_size(corrupt), size - pos);
  sent.resize(4);
  EXPECT_EQ(test::read_all_batches(*log), sent);
  EXPECT_EQ(log->log_end_offset(), 8);
}

TEST_F(Recovery, SecondQuarantineOfASegmentKeepsTheFirst) {
  auto sent = write(10, false);
  test::flip_byte(log0(), sent[0].size() + sent[1].size() + 70);
  {
    auto log = reopen();
    auto b = make_batch("again", 2, 100);
    ASSERT_TRUE(log->append_and_wait(bytes_of(b)));
  }
  test::flip_byte(log0(), sent[0].size() + 70);
  open_report report;
  reopen(&report);
  auto first = log0();
  first += names::corrupt_suffix;
  auto second = first;
  second += ".1";
  EXPECT_TRUE(std::filesystem::exists(first));
  EXPECT_EQ(report.segments[0].second.quarantine_file, second);
  EXPECT_TRUE(std::filesystem::exists(second));
}

TEST_F(Recovery, WrongMagicMidSegmentIsCut) {
  auto sent = write(6, false);
  test::flip_byte(log0(), sent[0].size() + protocol::batch_layout::magic);
  auto log = reopen();
  sent.resize(1);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, MissingIndexIsRebuilt) {
  auto sent = write(60, true);
  auto index_entries = test::file_size(names::index_file(pdir(), 0)) / offset_index::entry_size;
  ASSERT_GT(index_entries, 5u);
  std::filesystem::remove(names::index_file(pdir(), 0));
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.index_rebuilt);
  EXPECT_EQ(test::read_all_batches(*log), sent);
  ASSERT_TRUE(log->close());
  EXPECT_EQ(test::file_size(names::index_file(pdir(), 0)) / offset_index::entry_size,
            index_entries);
}

TEST_F(Recovery, MissingTimeIndexIsRebuilt) {
  auto sent = write(60, true);
  std::filesystem::remove(names::time_index_file(pdir(), 0));
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.index_rebuilt);
  EXPECT_EQ(log->offset_for_timestamp(0), 0);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, ShortIndexIsRebuilt) {
  auto sent = write(60, true);
  std::filesystem::resize_file(names::index_file(pdir(), 0),
                               test::file_size(names::index_file(pdir(), 0)) - 3);
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.index_rebuilt);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, IndexPastTheEndOfTheLogIsRebuilt) {
  auto sent = write(60, true);
  // The log lost its tail but the index still points into it.
  std::filesystem::resize_file(log0(), test::file_size(log0()) / 2);
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.index_rebuilt);
  auto got = test::read_all_batches(*log);
  ASSERT_FALSE(got.empty());
  EXPECT_LT(got.size(), sent.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i], sent[i]);
  }
}

TEST_F(Recovery, TimeIndexPastTheEndOfTheLogIsRebuilt) {
  auto sent = write(60, true);
  std::string entry(12, '\0');
  entry[0] = 0x7f;   // a huge timestamp
  entry[11] = 0x7f;  // relative offset 127: past the 120 offsets in the log
  test::append_to_file(names::time_index_file(pdir(), 0), entry);
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.index_rebuilt);
  EXPECT_LT(log->max_timestamp()->first, int64_t{1} << 56);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, IndexWithGarbageEntriesIsRebuilt) {
  auto sent = write(60, true);
  test::append_to_file(names::index_file(pdir(), 0), std::string(8, '\0'));  // not rising
  open_report report;
  auto log = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.index_rebuilt);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, EmptySegmentOpens) {
  {
    auto log = partition_log::open(pdir(), config, flush);
    ASSERT_TRUE(log);
  }
  EXPECT_TRUE(std::filesystem::exists(log0()));
  EXPECT_EQ(test::file_size(log0()), 0u);
  auto log = reopen();
  EXPECT_EQ(log->high_watermark(), 0);
  auto b = make_batch("first");
  EXPECT_EQ(log->append_and_wait(bytes_of(b))->base_offset, 0);
}

TEST_F(Recovery, EmptyDirectoryWithLogStartOffsetStartsThere) {
  std::filesystem::create_directories(pdir());
  ASSERT_TRUE(write_file_atomically(pdir() / names::log_start_offset_file, "500\n"));
  auto log = reopen();
  EXPECT_EQ(log->log_start_offset(), 500);
  auto b = make_batch("x");
  EXPECT_EQ(log->append_and_wait(bytes_of(b))->base_offset, 500);
}

TEST_F(Recovery, ManySegmentsOnlyLastIsScannedAfterACrash) {
  config.segment_bytes = 4096;
  auto sent = write(100, false);
  open_report report;
  auto log = reopen(&report);
  ASSERT_GT(report.segments.size(), 3u);
  for (size_t i = 0; i + 1 < report.segments.size(); ++i) {
    EXPECT_FALSE(report.segments[i].second.scanned) << i;
  }
  EXPECT_TRUE(report.segments.back().second.scanned);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, ASegmentCutToNothingLeavesAGapThatReadsSkip) {
  config.segment_bytes = 4096;
  auto sent = write(100, true);
  // Destroy the first batch of the second segment: recovery cuts that segment to 0 bytes.
  std::vector<int64_t> bases;
  for (const auto& e : std::filesystem::directory_iterator(pdir())) {
    if (auto b = names::parse_log_file(e.path().filename().string())) {
      bases.push_back(*b);
    }
  }
  std::sort(bases.begin(), bases.end());
  ASSERT_GT(bases.size(), 3u);
  auto second = names::log_file(pdir(), bases[1]);
  test::flip_byte(second, protocol::batch_layout::magic);
  std::filesystem::remove(pdir() / names::clean_shutdown_file);  // as after a crash
  std::filesystem::remove(names::index_file(pdir(), bases[1]));
  open_report report;
  auto log = reopen(&report);
  EXPECT_EQ(test::file_size(second), 0u);
  // Reading from inside the lost range returns the first batch after the gap.
  auto r = log->read(bases[1], 1);
  ASSERT_TRUE(r);
  ASSERT_GT(r->length, 0u);
  auto bytes = test::read_range(*r);
  EXPECT_EQ(protocol::batch_header::decode(std::as_bytes(std::span(bytes))).base_offset, bases[2]);
  auto got = test::read_all_batches(*log);
  EXPECT_EQ(got.front(), sent.front());
  EXPECT_EQ(got.back(), sent.back());
}

TEST_F(Recovery, StrayFilesAreIgnoredAndTmpFilesRemoved) {
  write(3, true);
  test::append_to_file(pdir() / "notes.txt", "hello");
  test::append_to_file(pdir() / "log-start-offset.tmp", "12");
  auto log = reopen();
  EXPECT_EQ(log->high_watermark(), 6);
  EXPECT_TRUE(std::filesystem::exists(pdir() / "notes.txt"));
  EXPECT_FALSE(std::filesystem::exists(pdir() / "log-start-offset.tmp"));
}

}  // namespace
}  // namespace brook::storage
