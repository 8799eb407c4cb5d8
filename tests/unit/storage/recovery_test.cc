// Recovery on open: one test per way a partition directory can be found after a crash or
// damage. Each writes a real log, damages its files, reopens and checks what came back.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <fstream>
#include <optional>
#include <tuple>

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

TEST_F(Recovery, UncleanShutdownWithoutACheckpointReadsTheWholeLastSegment) {
  auto sent = write(20, false);
  open_report report;
  auto log = reopen(&report);
  EXPECT_FALSE(report.clean_shutdown);
  // Its index files are those of its creation (empty): every byte is read and checked.
  const auto& rec = report.segments.back().second;
  EXPECT_EQ(rec.scanned_bytes, test::file_size(log0()));
  EXPECT_FALSE(rec.index_rebuilt);
  EXPECT_EQ(rec.truncated_bytes, 0u);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

// Writes `before` batches, takes a checkpoint, writes `after` more and drops the log
// without closing it (a crash). Returns every batch and, in `tail`, the bytes of the last
// `after` ones.
std::vector<std::string> write_with_checkpoint(const std::filesystem::path& dir,
                                               const log_config& config, flusher& flush, int before,
                                               int after, uint64_t& tail,
                                               int64_t first_timestamp = 1'700'000'000'000) {
  auto log = partition_log::open(dir, config, flush);
  EXPECT_TRUE(log);
  std::vector<std::string> out;
  tail = 0;
  for (int i = 0; i < before + after; ++i) {
    if (i == before) {
      auto taken = (*log)->checkpoint();
      EXPECT_TRUE(taken && *taken);
      // Nothing new since: nothing to do.
      taken = (*log)->checkpoint();
      EXPECT_TRUE(taken && !*taken);
    }
    // Timestamps go up and down, so the largest is not the last one's.
    auto b = make_batch("rec" + std::to_string(i), 2, 100, first_timestamp + (i * 7919) % 1000);
    EXPECT_TRUE((*log)->append_and_wait(bytes_of(b)));
    tail += i >= before ? b.size() : 0;
    out.push_back(b);
  }
  return out;
}

TEST_F(Recovery, ACheckpointBoundsWhatIsReadAfterACrash) {
  uint64_t tail = 0;
  auto sent = write_with_checkpoint(pdir(), config, flush, 300, 5, tail);
  std::optional<std::pair<int64_t, int64_t>> max_before;
  {
    // What a full read of the log finds, to compare with.
    auto copy = dir / "copy-0";
    std::filesystem::copy(pdir(), copy);
    for (const char* ext : {".index", ".timeindex"}) {
      std::filesystem::remove(names::log_file(copy, 0).replace_extension(ext));
    }
    auto full = partition_log::open(copy, config, flush);
    ASSERT_TRUE(full);
    max_before = (*full)->max_timestamp();
  }
  open_report report;
  auto log = reopen(&report);
  ASSERT_EQ(report.segments.size(), 1u);
  const auto& rec = report.segments[0].second;
  EXPECT_FALSE(rec.scanned);
  EXPECT_FALSE(rec.index_rebuilt);
  // From the last index entry (at most an index interval plus a batch before the
  // checkpoint) to the end.
  EXPECT_GE(rec.scanned_bytes, tail);
  EXPECT_LE(rec.scanned_bytes, tail + config.index_interval_bytes + sent.front().size());
  EXPECT_LT(rec.scanned_bytes, test::file_size(log0()) / 10);
  EXPECT_EQ(test::read_all_batches(*log), sent);
  EXPECT_EQ(log->max_timestamp(), max_before);
  EXPECT_EQ(log->offset_for_timestamp(1'700'000'000'500), [&] {
    auto copy = partition_log::open(dir / "copy-0", config, flush);
    return (*copy)->offset_for_timestamp(1'700'000'000'500);
  }());
  // The producer state came from the checkpoint's snapshot: only the tail was replayed.
  EXPECT_EQ(report.producer_snapshot_offset, 600);
  EXPECT_EQ(report.producer_batches_scanned, 5u);
  auto b = make_batch("after");
  EXPECT_EQ(log->append_and_wait(bytes_of(b))->base_offset, 610);
}

TEST_F(Recovery, ATornTailAfterACheckpointIsCutWithoutAFullScan) {
  uint64_t tail = 0;
  auto sent = write_with_checkpoint(pdir(), config, flush, 200, 3, tail);
  auto size = test::file_size(log0());
  auto extra = make_batch("torn", 3, 300);
  test::append_to_file(log0(), extra.substr(0, extra.size() / 2));
  open_report report;
  auto log = reopen(&report);
  const auto& rec = report.segments[0].second;
  EXPECT_FALSE(rec.scanned);
  EXPECT_EQ(rec.truncated_bytes, extra.size() / 2);
  EXPECT_FALSE(rec.quarantined);
  EXPECT_EQ(test::file_size(log0()), size);
  EXPECT_LT(rec.scanned_bytes, size / 10);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, CorruptionAfterACheckpointStillGetsAFullScanAndQuarantine) {
  uint64_t tail = 0;
  auto sent = write_with_checkpoint(pdir(), config, flush, 200, 3, tail);
  // The CRC of the second of the three batches after the checkpoint.
  auto size = test::file_size(log0());
  uint64_t third = sent.back().size();
  uint64_t second = sent[sent.size() - 2].size();
  test::flip_byte(log0(), size - third - second + 30);
  open_report report;
  auto log = reopen(&report);
  const auto& rec = report.segments[0].second;
  EXPECT_TRUE(rec.scanned);
  EXPECT_TRUE(rec.quarantined);
  EXPECT_EQ(rec.truncated_bytes, third + second);
  sent.resize(sent.size() - 2);
  EXPECT_EQ(test::read_all_batches(*log), sent);
}

TEST_F(Recovery, ACheckpointAfterCloseDoesNothing) {
  auto log = partition_log::open(pdir(), config, flush);
  ASSERT_TRUE(log);
  auto b = make_batch("x");
  ASSERT_TRUE((*log)->append_and_wait(bytes_of(b)));
  ASSERT_TRUE((*log)->close());
  auto index = test::file_size(names::index_file(pdir(), 0));
  auto taken = (*log)->checkpoint();
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken);
  EXPECT_EQ(test::file_size(names::index_file(pdir(), 0)), index);
  // A clean open counts as checkpointed: nothing to write until something is appended.
  auto again = reopen();
  taken = again->checkpoint();
  ASSERT_TRUE(taken);
  EXPECT_FALSE(*taken);
  ASSERT_TRUE(again->append_and_wait(bytes_of(b)));
  taken = again->checkpoint();
  ASSERT_TRUE(taken);
  EXPECT_TRUE(*taken);
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

// A batch larger than the scanner's 4 MiB buffer is checked as it streams through it:
// whole, it reads back; with a flipped byte, the log is cut before it.
TEST_F(Recovery, ABatchLargerThanTheScanBufferIsCheckedAsItStreams) {
  config.max_message_bytes = 8 << 20;
  auto log = partition_log::open(pdir(), config, flush);
  ASSERT_TRUE(log);
  std::vector<std::string> sent;
  for (const auto& [tag, count, bytes] :
       {std::tuple{"a", 2, 100}, {"big", 6, 1 << 20}, {"z", 2, 100}}) {
    sent.push_back(make_batch(tag, count, static_cast<size_t>(bytes)));
    ASSERT_TRUE((*log)->append_and_wait(bytes_of(sent.back())));
  }
  log->reset();
  std::filesystem::remove(names::index_file(pdir(), 0));  // a full scan
  open_report report;
  auto reopened = reopen(&report);
  EXPECT_TRUE(report.segments[0].second.scanned);
  EXPECT_EQ(report.segments[0].second.truncated_bytes, 0u);
  EXPECT_EQ(test::read_all_batches(*reopened), sent);
  reopened.reset();
  test::flip_byte(log0(), sent[0].size() + (3 << 20));  // inside the big batch's records
  std::filesystem::remove(names::index_file(pdir(), 0));
  open_report damaged;
  auto cut = reopen(&damaged);
  EXPECT_EQ(damaged.segments[0].second.reason, protocol::batch_errc::bad_crc);
  sent.resize(1);
  EXPECT_EQ(test::read_all_batches(*cut), sent);
}

// A damaged length that claims a 100 MiB batch in a 110 MiB segment (the rest sparse
// zeros) is cut like any other damage, read through the scanner's 4 MiB buffer: before,
// the scanner buffered all the bytes the length claimed, up to the segment's size, on each
// recovery thread.
TEST_F(Recovery, ACorruptHugeLengthIsCutWithoutBufferingIt) {
  auto sent = write(10, false);
  uint64_t pos = sent[0].size() + sent[1].size() + sent[2].size();
  std::filesystem::resize_file(log0(), 110u << 20);
  {
    std::fstream f(log0(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(pos + protocol::batch_layout::batch_length));
    const char claimed[4] = {0x06, 0x40, 0x00, 0x00};  // 100 MiB
    f.write(claimed, 4);
  }
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  open_report report;
  auto log = reopen(&report);
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 48 * 1024) << "KiB of peak memory grew";
  EXPECT_EQ(report.segments[0].second.reason, protocol::batch_errc::bad_crc);
  EXPECT_TRUE(report.segments[0].second.quarantined);
  sent.resize(3);
  EXPECT_EQ(test::read_all_batches(*log), sent);
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

TEST_F(Recovery, ManySegmentsAfterACrashOnlyTailsAreRead) {
  config.segment_bytes = 4096;
  auto sent = write(100, false);
  open_report report;
  auto log = reopen(&report);
  ASSERT_GT(report.segments.size(), 3u);
  for (size_t i = 0; i < report.segments.size(); ++i) {
    const auto& [base, rec] = report.segments[i];
    EXPECT_FALSE(rec.scanned) << i;
    uint64_t size = test::file_size(names::log_file(pdir(), base));
    if (i + 1 < report.segments.size()) {
      // Sealed: read from the last entry of the index written on roll.
      EXPECT_LT(rec.scanned_bytes, size) << i;
    } else {
      EXPECT_EQ(rec.scanned_bytes, size);  // never checkpointed
    }
  }
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
