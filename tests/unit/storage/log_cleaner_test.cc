// Log compaction: a real partition log of small segments, cleaned, read back record by
// record: the last record of each key stays at its offset, older ones and expired
// tombstones go, batches keep their offsets, reopening (clean or not) finds the same log,
// and a committed swap left by a crash is completed on open.
#include "storage/log_cleaner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <thread>

#include "base/big_endian.h"
#include "protocol/control_record.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

constexpr int64_t t0 = 1'700'000'000'000;

struct rec {
  std::optional<std::string> key;
  std::optional<std::string> value;
  bool operator==(const rec&) const = default;
};

// Every record of the log: offset -> (key, value).
std::map<int64_t, rec> read_records(const partition_log& log) {
  std::map<int64_t, rec> out;
  for (const auto& b : test::read_all_batches(log)) {
    auto bytes = std::as_bytes(std::span(b));
    auto h = protocol::validate_batch(bytes, b.size(), protocol::batch_origin::stored);
    EXPECT_TRUE(h) << "a batch read back does not check out";
    auto records = protocol::decode_records(bytes);
    EXPECT_TRUE(records);
    for (const auto& r : *records) {
      EXPECT_LE(r.offset_delta, h->last_offset_delta);
      rec x;
      if (!r.null_key) {
        x.key = r.key;
      }
      if (!r.null_value) {
        x.value = r.value;
      }
      EXPECT_TRUE(out.emplace(h->base_offset + r.offset_delta, x).second);
    }
  }
  return out;
}

// The last record of each key.
std::map<std::string, std::pair<int64_t, std::optional<std::string>>> latest(
    const std::map<int64_t, rec>& records) {
  std::map<std::string, std::pair<int64_t, std::optional<std::string>>> out;
  for (const auto& [offset, r] : records) {
    if (r.key) {
      out[*r.key] = {offset, r.value};
    }
  }
  return out;
}

class LogCleaner : public ::testing::Test {
 protected:
  LogCleaner() {
    config.segment_bytes = 4096;
    config.index_interval_bytes = 256;
  }
  std::filesystem::path pdir() const { return dir / "compact-0"; }

  std::shared_ptr<partition_log> open(open_report* report = nullptr) {
    auto log = partition_log::open(pdir(), config, flush, report);
    EXPECT_TRUE(log) << log.error().message();
    return *log;
  }

  // One batch of (key, value) records; a nullopt value is a tombstone.
  static void append(partition_log& log,
                     const std::vector<std::pair<std::string, std::optional<std::string>>>& kvs,
                     int64_t timestamp = t0, int64_t producer_id = -1, int32_t sequence = -1) {
    std::vector<protocol::record> records;
    for (const auto& [k, v] : kvs) {
      protocol::record r;
      r.key = k;
      r.null_value = !v;
      r.value = v.value_or("");
      records.push_back(std::move(r));
    }
    auto b = protocol::build_batch(records, timestamp, producer_id, 0, sequence);
    auto r = log.append_and_wait(test::bytes_of(b));
    ASSERT_TRUE(r) << r.error().message();
  }

  // 20 keys, 30 versions each, one record per batch: many small segments.
  void write_versions(partition_log& log, int versions = 30) {
    for (int v = 0; v < versions; ++v) {
      for (int k = 0; k < 20; ++k) {
        append(log, {{"k" + std::to_string(k), "v" + std::to_string(v) + std::string(60, '.')}});
      }
    }
  }

  test::temp_dir dir;
  flusher flush;
  log_config config;
  cleaning_rules rules{86'400'000, 0};
};

// Transactions: an aborted value never shadows a committed one (it is neither mapped nor
// kept), markers stay, and nothing at or past the last stable offset is cleaned.
TEST_F(LogCleaner, AbortedRecordsGoMarkersStayAndOpenTransactionsHoldCleaningBack) {
  auto log = open();
  auto transactional = [&](int64_t producer, int32_t sequence, const std::string& key,
                           const std::string& value) {
    protocol::record r;
    r.key = key;
    r.value = value;
    auto b = protocol::build_batch(std::span(&r, 1), t0, producer, 0, sequence);
    auto bytes = test::bytes_of(b);
    auto attributes = be::load<int16_t>(bytes.data() + protocol::batch_layout::attributes);
    be::store(bytes.data() + protocol::batch_layout::attributes,
              static_cast<int16_t>(attributes | protocol::transactional_attribute));
    be::store(bytes.data() + protocol::batch_layout::crc, protocol::compute_batch_crc(bytes));
    ASSERT_TRUE(log->append_and_wait(bytes));
  };
  auto marker = [&](int64_t producer, protocol::control_type type) {
    std::promise<result<append_result>> done;
    auto f = done.get_future();
    log->append_marker(producer, 0, type, [&done](result<append_result> r) { done.set_value(r); });
    ASSERT_TRUE(f.get());
  };
  append(*log, {{"k", "committed"}});
  transactional(9, 0, "k", "aborted");
  marker(9, protocol::control_type::abort);
  write_versions(*log, 3);  // fills segments past the transaction
  transactional(10, 0, "open", "not yet decided");
  write_versions(*log, 3);  // more sealed segments, after the open transaction
  const int64_t open_at = log->last_stable_offset();
  ASSERT_LT(open_at, log->high_watermark());
  auto report = clean_log(*log, rules, t0 + 1000);
  ASSERT_TRUE(report) << report.error().message();
  auto after = read_records(*log);
  auto last = latest(after);
  EXPECT_EQ(last.at("k").second, "committed");
  EXPECT_EQ(std::count_if(after.begin(), after.end(),
                          [](const auto& r) { return r.second.value == "aborted"; }),
            0);
  EXPECT_LT(report->cleaned_up_to, open_at + 1) << "stops before the open transaction";
  EXPECT_EQ(last.at("open").second, "not yet decided");
  // Every record after the open transaction's start is still there, older versions too.
  int64_t kept_after =
      std::count_if(after.begin(), after.end(), [&](const auto& r) { return r.first > open_at; });
  EXPECT_EQ(kept_after, 60);
  // The marker stays: a read_committed reader still learns the transaction ended.
  int markers = 0;
  for (const auto& b : test::read_all_batches(*log)) {
    markers += protocol::batch_header::decode(std::as_bytes(std::span(b))).control() ? 1 : 0;
  }
  EXPECT_EQ(markers, 1);
}

TEST_F(LogCleaner, KeepsTheLastRecordOfEachKeyAtItsOffset) {
  auto log = open();
  write_versions(*log);
  auto before = read_records(*log);
  int64_t end = log->log_end_offset();
  ASSERT_GT(log->segment_count(), 10u);
  auto report = clean_log(*log, rules, t0 + 1000);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_EQ(report->segments_read, log->segment_count() - 1);
  EXPECT_GT(report->segments_rewritten, 5u);
  EXPECT_GT(report->records_removed, 400u);
  EXPECT_LT(report->bytes_after, report->bytes_before / 3);

  auto after = read_records(*log);
  EXPECT_EQ(latest(after), latest(before));
  for (const auto& [offset, r] : after) {
    ASSERT_TRUE(before.count(offset));
    EXPECT_EQ(before.at(offset).value, r.value) << offset;  // same record, same offset
  }
  // In the cleaned (sealed) part each key appears once.
  auto sealed_end = log->sealed_segments().back()->next_offset();
  std::map<std::string, int> seen;
  for (const auto& [offset, r] : after) {
    if (offset < sealed_end) {
      EXPECT_EQ(++seen[*r.key], 1) << *r.key;
    }
  }
  EXPECT_EQ(log->log_end_offset(), end);
  // Appends go on; a second clean finds the rest.
  append(*log, {{"k0", std::string("newest")}});
  EXPECT_EQ(log->log_end_offset(), end + 1);
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  EXPECT_EQ(latest(read_records(*log)).at("k0").second, "newest");
}

TEST_F(LogCleaner, APartlyKeptBatchKeepsItsOffsets) {
  config.segment_bytes = 1 << 20;
  auto log = open();
  append(*log, {{"a", std::string("1")}, {"b", std::string("2")}, {"c", std::string("3")}});
  append(*log, {{"a", std::string("4")}});
  // Roll by size so that both batches are in a sealed segment.
  log_config small = config;
  small.segment_bytes = 64;
  ASSERT_TRUE(log->set_config(small));
  append(*log, {{"z", std::string("9")}});
  ASSERT_TRUE(log->set_config(config));
  ASSERT_EQ(log->sealed_segments().size(), 1u);
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  auto batches = test::read_all_batches(*log);
  ASSERT_EQ(batches.size(), 3u);
  auto h = protocol::batch_header::decode(std::as_bytes(std::span(batches[0])));
  EXPECT_EQ(h.base_offset, 0);
  EXPECT_EQ(h.last_offset_delta, 2);  // the batch still ends at offset 2
  EXPECT_EQ(h.records_count, 2);
  auto records = read_records(*log);
  EXPECT_FALSE(records.count(0));
  EXPECT_EQ(records.at(1).value, "2");
  EXPECT_EQ(records.at(2).value, "3");
  EXPECT_EQ(records.at(3).value, "4");
  // Reads from any offset land on the right record.
  auto r = log->read(1, 1 << 20);
  ASSERT_TRUE(r);
  EXPECT_GT(r->length, 0u);
}

TEST_F(LogCleaner, TombstonesGoAfterDeleteRetention) {
  auto log = open();
  for (int i = 0; i < 60; ++i) {
    append(*log, {{"gone", "v" + std::to_string(i) + std::string(100, '.')}});
  }
  append(*log, {{"gone", std::nullopt}}, t0 + 5000);
  write_versions(*log, 5);  // pushes the tombstone into a sealed segment
  ASSERT_TRUE(clean_log(*log, rules, t0 + 6000));
  auto kept = latest(read_records(*log));
  ASSERT_TRUE(kept.count("gone"));
  EXPECT_EQ(kept.at("gone").second, std::nullopt);  // the tombstone, younger than a day
  ASSERT_TRUE(clean_log(*log, rules, t0 + 5000 + rules.delete_retention_ms + 1));
  EXPECT_FALSE(latest(read_records(*log)).count("gone"));
}

TEST_F(LogCleaner, SegmentsYoungerThanTheCompactionLagAreLeft) {
  auto log = open();
  write_versions(*log, 10);
  cleaning_rules lagging{86'400'000, 60'000};
  auto report = clean_log(*log, lagging, t0 + 1000);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->segments_read, 0u);
  EXPECT_EQ(report->segments_rewritten, 0u);
  report = clean_log(*log, lagging, t0 + 61'000);
  ASSERT_TRUE(report);
  EXPECT_GT(report->segments_rewritten, 0u);
}

TEST_F(LogCleaner, AnIdempotentProducersLastBatchStays) {
  auto log = open();
  for (int i = 0; i < 40; ++i) {
    append(*log, {{"p", "v" + std::to_string(i) + std::string(100, '.')}}, t0, 42, i);
  }
  write_versions(*log, 5);  // the same key later, from no producer, in later segments
  append(*log, {{"p", std::string("last")}});
  write_versions(*log, 5);
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  auto state = log->producer(42);
  ASSERT_TRUE(state);
  // The batch of sequence 39 is still in the log, emptied (its key is superseded), with its
  // producer fields; earlier batches of the producer are gone.
  EXPECT_FALSE(read_records(*log).count(39));
  std::optional<protocol::batch_header> kept;
  for (const auto& batch : test::read_all_batches(*log)) {
    auto h = protocol::batch_header::decode(std::as_bytes(std::span(batch)));
    EXPECT_FALSE(h.producer_id == 42 && h.base_offset < 39) << h.base_offset;
    if (h.base_offset == 39) {
      kept = h;
    }
  }
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->records_count, 0);
  EXPECT_EQ(kept->producer_id, 42);
  EXPECT_EQ(kept->base_sequence, 39);
  EXPECT_EQ(kept->last_offset(), 39);
  // A retry of it is still a duplicate after a reopen that rebuilds the state from the log.
  log.reset();
  auto again = open();
  std::vector<protocol::record> rs(1);
  rs[0].key = "p";
  rs[0].value = "v39" + std::string(100, '.');
  auto b = protocol::build_batch(rs, t0, 42, 0, 39);
  auto r = again->append_and_wait(test::bytes_of(b));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->duplicate);
}

TEST_F(LogCleaner, ReopeningACleanedLogFindsTheSameRecords) {
  auto log = open();
  write_versions(*log);
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  auto cleaned = read_records(*log);
  ASSERT_TRUE(log->close());
  log.reset();
  open_report report;
  auto clean = open(&report);
  EXPECT_TRUE(report.clean_shutdown);
  for (const auto& [base, r] : report.segments) {
    EXPECT_FALSE(r.index_rebuilt) << base;  // the cleaner wrote indexes that check out
  }
  EXPECT_EQ(read_records(*clean), cleaned);
  clean.reset();  // no close: the next open is unclean
  auto unclean = open();
  EXPECT_EQ(read_records(*unclean), cleaned);
}

TEST_F(LogCleaner, ACommittedSwapLeftByACrashIsCompletedOnOpen) {
  auto log = open();
  write_versions(*log);
  ASSERT_TRUE(log->close());
  log.reset();
  // The same log in a second directory, before cleaning.
  auto copy = dir / "compact-1";
  std::filesystem::copy(pdir(), copy);
  log = open();
  auto sealed = log->sealed_segments();
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  auto cleaned = read_records(*log);
  ASSERT_TRUE(log->close());
  log.reset();
  // A crash after each commit point in the copy: every cleaned segment is a .swap, and a
  // half-written .cleaned lies beside one of them.
  for (const auto& seg : sealed) {
    int64_t base = seg->base_offset();
    std::filesystem::copy_file(names::log_file(pdir(), base), names::swap_file(copy, base),
                               std::filesystem::copy_options::overwrite_existing);
  }
  test::append_to_file(names::cleaned_file(copy, sealed.front()->base_offset()), "half");
  std::filesystem::remove(copy / names::clean_shutdown_file);
  auto recovered = partition_log::open(copy, config, flush);
  ASSERT_TRUE(recovered) << recovered.error().message();
  EXPECT_EQ(read_records(**recovered), cleaned);
  for (const auto& e : std::filesystem::directory_iterator(copy)) {
    auto name = e.path().filename().string();
    EXPECT_FALSE(name.ends_with(".swap") || name.ends_with(".cleaned")) << name;
  }
}

// The cleaner's schedule (Kafka's LogCleanerManager): the dirty share of the cleanable
// segments against min.cleanable.dirty.ratio, measured from a checkpoint that survives a
// reopen.
TEST_F(LogCleaner, TheDirtyRatioDecidesWhenALogIsCleaned) {
  config.cleanup_compact = true;
  auto log = open();
  for (int i = 0; i < 300; ++i) {  // keys written once: the clean part stays large
    append(*log, {{"u" + std::to_string(i), std::string(60, '.')}});
  }
  write_versions(*log);
  auto need = assess_cleaning(*log, t0 + 1000);
  EXPECT_EQ(need.clean_bytes, 0u);
  EXPECT_GT(need.dirty_bytes, 0u);
  EXPECT_DOUBLE_EQ(need.dirty_ratio, 1.0);
  EXPECT_TRUE(need.due);
  auto report = clean_log(*log, rules, t0 + 1000);
  ASSERT_TRUE(report);
  auto sealed_end = log->sealed_segments().back()->next_offset();
  EXPECT_EQ(report->cleaned_up_to, sealed_end);
  EXPECT_EQ(log->cleaner_checkpoint(), sealed_end);
  need = assess_cleaning(*log, t0 + 1000);
  EXPECT_EQ(need.dirty_bytes, 0u);
  EXPECT_FALSE(need.due);

  // A little more: one or two new sealed segments, a small dirty share.
  for (int i = 0; i < 80; ++i) {
    append(*log, {{"k" + std::to_string(i % 20), "w" + std::to_string(i) + std::string(60, '.')}});
  }
  need = assess_cleaning(*log, t0 + 1000);
  EXPECT_GT(need.dirty_bytes, 0u);
  EXPECT_GT(need.clean_bytes, 0u);
  EXPECT_LT(need.dirty_ratio, 0.5);
  EXPECT_FALSE(need.due);
  // The checkpoint survives a reopen (clean or not).
  log.reset();
  log = open();
  EXPECT_EQ(log->cleaner_checkpoint(), sealed_end);
  auto again = assess_cleaning(*log, t0 + 1000);
  EXPECT_DOUBLE_EQ(again.dirty_ratio, need.dirty_ratio);
  // A lower ratio makes it due.
  log_config eager = config;
  eager.min_cleanable_dirty_ratio = need.dirty_ratio / 2;
  ASSERT_TRUE(log->set_config(eager));
  EXPECT_TRUE(assess_cleaning(*log, t0 + 1000).due);
  // Segments younger than min.compaction.lag.ms are neither clean nor dirty.
  eager.min_compaction_lag_ms = 60'000;
  ASSERT_TRUE(log->set_config(eager));
  need = assess_cleaning(*log, t0 + 1000);
  EXPECT_EQ(need.clean_bytes + need.dirty_bytes, 0u);
  EXPECT_FALSE(need.due);
}

TEST_F(LogCleaner, MaxCompactionLagCleansWhateverTheRatio) {
  config.cleanup_compact = true;
  config.min_cleanable_dirty_ratio = 1.0;
  config.max_compaction_lag_ms = 60'000;
  auto log = open();
  write_versions(*log);
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  for (int i = 0; i < 70; ++i) {
    append(*log, {{"k" + std::to_string(i % 20), "w" + std::to_string(i) + std::string(60, '.')}});
  }
  auto need = assess_cleaning(*log, t0 + 1000);
  EXPECT_GT(need.dirty_bytes, 0u);
  EXPECT_FALSE(need.lag_exceeded);
  EXPECT_FALSE(need.due);
  need = assess_cleaning(*log, t0 + 61'000);
  EXPECT_TRUE(need.lag_exceeded);
  EXPECT_TRUE(need.due);
}

TEST_F(LogCleaner, ACompactedLogRollsByMaxCompactionLag) {
  config.cleanup_compact = true;
  config.segment_bytes = 1 << 20;
  config.max_compaction_lag_ms = 60'000;
  auto log = open();
  append(*log, {{"a", std::string("1")}}, t0);
  append(*log, {{"a", std::string("2")}}, t0 + 30'000);
  EXPECT_EQ(log->segment_count(), 1u);
  append(*log, {{"a", std::string("3")}}, t0 + 60'000);  // segment.ms is 7 days
  EXPECT_EQ(log->segment_count(), 2u);
}

TEST_F(LogCleaner, RetentionLeavesACompactOnlyLogAlone) {
  config.retention_ms = std::chrono::milliseconds(1000);
  config.cleanup_compact = true;
  config.cleanup_delete = false;
  auto log = open();
  write_versions(*log, 5);
  size_t segments = log->segment_count();
  auto later = partition_log::clock::time_point(std::chrono::milliseconds(t0 + 3'600'000));
  auto r = log->enforce_retention(later);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->segments_deleted, 0);
  EXPECT_EQ(log->segment_count(), segments);
  // compact,delete: both apply.
  config.cleanup_delete = true;
  ASSERT_TRUE(log->set_config(config));
  r = log->enforce_retention(later);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->segments_deleted, static_cast<int>(segments) - 1);
}

TEST_F(LogCleaner, StopsWhenAskedOrWhenTheLogCloses) {
  auto log = open();
  write_versions(*log);
  auto before = read_records(*log);
  std::stop_source stop;
  stop.request_stop();
  auto r = clean_log(*log, rules, t0 + 1000, stop.get_token());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(errc::cleaning_stopped));
  EXPECT_EQ(log->cleaner_checkpoint(), 0);
  EXPECT_EQ(read_records(*log), before);
  ASSERT_TRUE(log->close());
  r = clean_log(*log, rules, t0 + 1000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(errc::log_closed));
}

// A map too small for the dirty part: each clean maps what fits, cleans up to there and
// moves the checkpoint to it; round after round the log ends as one big map would leave it.
TEST_F(LogCleaner, AFullMapCleansInRounds) {
  auto log = open();
  for (int v = 0; v < 3; ++v) {
    for (int k = 0; k < 100; ++k) {
      append(*log, {{"k" + std::to_string(k), "v" + std::to_string(v) + std::string(60, '.')}});
    }
  }
  auto before = read_records(*log);
  auto sealed_end = log->sealed_segments().back()->next_offset();
  offset_map small(64 * offset_map::slot_bytes);  // 48 keys
  int rounds = 0;
  int64_t previous = log->cleaner_checkpoint();
  while (true) {
    auto r = clean_log(*log, rules, t0 + 1000, small);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_LE(r->keys_mapped, 48u);
    ASSERT_GT(r->cleaned_up_to, previous) << "round " << rounds << " made no progress";
    EXPECT_EQ(log->cleaner_checkpoint(), r->cleaned_up_to);
    previous = r->cleaned_up_to;
    ++rounds;
    if (!r->map_full) {
      EXPECT_EQ(r->cleaned_up_to, sealed_end);
      break;
    }
    ASSERT_LT(rounds, 20);
  }
  EXPECT_GE(rounds, 5);  // ~270 sealed records, 48 at a time
  auto after = read_records(*log);
  EXPECT_EQ(latest(after), latest(before));
  std::map<std::string, int> seen;
  for (const auto& [offset, r] : after) {
    if (offset < sealed_end) {
      EXPECT_EQ(++seen[*r.key], 1) << *r.key;
    }
  }
}

TEST_F(LogCleaner, AMapThatCannotHoldOneBatchIsAnError) {
  auto log = open();
  std::vector<std::pair<std::string, std::optional<std::string>>> many;
  for (int k = 0; k < 20; ++k) {
    many.emplace_back("k" + std::to_string(k), std::string(300, '.'));
  }
  for (int i = 0; i < 3; ++i) {
    append(*log, many);
  }
  ASSERT_GT(log->segment_count(), 1u);
  offset_map tiny(0);  // 12 keys
  auto r = clean_log(*log, rules, t0 + 1000, tiny);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(errc::cleaner_map_too_small));
  EXPECT_EQ(log->cleaner_checkpoint(), 0);
}

// A tombstone just past where a full map ended, in a segment that is rewritten: it stays
// until a later round maps it, so the key's older value below never outlives it.
TEST_F(LogCleaner, ATombstonePastAFullMapStaysUntilItIsMapped) {
  auto log = open();
  append(*log, {{"k", std::string("old")}});  // offset 0
  for (int i = 0; i < 48; ++i) {
    append(*log, {{"u" + std::to_string(i), std::string(60, '.')}});  // offsets 1..48
  }
  append(*log, {{"k", std::nullopt}});  // offset 49: the tombstone
  write_versions(*log, 3);
  std::shared_ptr<segment> holding;
  for (const auto& seg : log->sealed_segments()) {
    if (seg->base_offset() <= 48 && 48 < seg->next_offset()) {
      holding = seg;
    }
  }
  ASSERT_TRUE(holding && holding->base_offset() < 48 && 49 < holding->next_offset())
      << "offsets 48 and 49 must share a segment that begins before 48";
  offset_map small(64 * offset_map::slot_bytes);  // 48 keys: offsets 0..47
  int64_t expired = t0 + rules.delete_retention_ms + 1;
  auto first = clean_log(*log, rules, expired, small);
  ASSERT_TRUE(first) << first.error().message();
  ASSERT_TRUE(first->map_full);
  EXPECT_EQ(first->cleaned_up_to, 48);
  EXPECT_EQ(latest(read_records(*log)).at("k").second, std::nullopt);  // the tombstone is newest
  for (int round = 0; round < 20; ++round) {
    auto r = clean_log(*log, rules, expired, small);
    ASSERT_TRUE(r) << r.error().message();
    if (!r->map_full) {
      break;
    }
  }
  EXPECT_FALSE(latest(read_records(*log)).count("k"));  // value and tombstone both gone
}

// An idempotent producer's last batch whose records are all superseded is emptied, not
// kept whole: once the newer tombstone expires, the old value must not come back.
TEST_F(LogCleaner, AProducersLastBatchDoesNotBringBackAnOldValue) {
  auto log = open();
  append(*log, {{"k", std::string("old")}}, t0, 42, 0);  // producer 42's only batch
  append(*log, {{"k", std::nullopt}});                   // a later tombstone, no producer
  write_versions(*log, 3);
  ASSERT_TRUE(clean_log(*log, rules, t0 + 1000));
  EXPECT_EQ(latest(read_records(*log)).at("k").second, std::nullopt);
  ASSERT_TRUE(clean_log(*log, rules, t0 + rules.delete_retention_ms + 1));
  EXPECT_FALSE(latest(read_records(*log)).count("k"));
  // The producer's state still knows its batch.
  auto state = log->producer(42);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->batches.back().first_offset, 0);
}

// Without min.compaction.lag.ms a segment holding a timestamp from the future is cleaned
// like any other, and does not hold back the segments after it.
TEST_F(LogCleaner, AFutureTimestampDoesNotHoldCompactionUp) {
  auto log = open();
  for (int i = 0; i < 40; ++i) {
    append(*log, {{"f", "v" + std::to_string(i) + std::string(60, '.')}}, t0 + 86'400'000);
  }
  write_versions(*log, 5);
  auto r = clean_log(*log, rules, t0 + 1000);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->segments_read, log->segment_count() - 1);
  EXPECT_GT(r->records_removed, 90u);
}

// DeleteTopics closes the log while its cleaner runs: close() waits for the clean to stop
// at its next segment, and nothing of the cleaner is left or written afterwards (no
// copy, no swap, no checkpoint) in a directory that is about to be removed.
TEST_F(LogCleaner, ClosingWaitsForACleanToStop) {
  auto log = open();
  write_versions(*log, 120);  // 2,400 batches: some 80 segments to rewrite
  ASSERT_GT(log->segment_count(), 50u);
  std::promise<result<clean_report>> done;
  std::thread cleaner([&] { done.set_value(clean_log(*log, rules, t0 + 1000)); });
  // Wait until the cleaner has rewritten at least one segment (a swap is in the log).
  auto swapped_one = [&] { return read_records(*log).size() < 2400u; };
  while (!swapped_one()) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(log->close());
  auto r = done.get_future().get();
  cleaner.join();
  // Either the close came before the last segment (stopped) or the clean had just ended.
  if (!r) {
    EXPECT_EQ(r.error(), make_error_code(errc::log_closed));
    EXPECT_FALSE(std::filesystem::exists(pdir() / names::cleaner_checkpoint_file));
  }
  for (const auto& e : std::filesystem::directory_iterator(pdir())) {
    auto name = e.path().filename().string();
    EXPECT_FALSE(name.ends_with(".swap") || name.ends_with(".cleaned")) << name;
  }
  // And a clean of a closed log does nothing.
  auto after = clean_log(*log, rules, t0 + 1000);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error(), make_error_code(errc::log_closed));
}

}  // namespace
}  // namespace brook::storage
