// Idempotent producer state: one test per rule of producer_state::check, the snapshot
// codec, and the state of a partition_log across appends, clean restarts and crashes.
#include "storage/producer_state.h"

#include <gtest/gtest.h>

#include <limits>

#include "base/big_endian.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "storage/partition_log.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

constexpr int32_t int32_max = std::numeric_limits<int32_t>::max();

// The header of a batch of `count` records from a producer, as a producer sends it.
protocol::batch_header header(int64_t producer_id, int16_t epoch, int32_t sequence, int count = 1) {
  protocol::batch_header h;
  h.magic = protocol::batch_layout::current_magic;
  h.producer_id = producer_id;
  h.producer_epoch = epoch;
  h.base_sequence = sequence;
  h.records_count = count;
  h.last_offset_delta = count - 1;
  h.max_timestamp = 1'700'000'000'000;
  return h;
}

// A log as far as producer_state sees it: checks, then assigns offsets and applies.
class ProducerState : public ::testing::Test {
 protected:
  // Checks and, when the batch is new, "appends" it. Returns the check.
  result<producer_check> append(protocol::batch_header h) {
    auto c = state.check(h);
    if (c && !c->duplicate) {
      h.base_offset = next_offset;
      next_offset += h.last_offset_delta + 1;
      state.apply(h);
    }
    return c;
  }
  void expect_accepted(const protocol::batch_header& h) {
    auto c = append(h);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_FALSE(c->duplicate);
  }

  producer_state state;
  int64_t next_offset = 0;
};

TEST_F(ProducerState, FirstBatchMustStartAtZero) {
  EXPECT_EQ(append(header(7, 0, 1)).error(), errc::out_of_order_sequence);
  EXPECT_EQ(append(header(7, 0, 42)).error(), errc::out_of_order_sequence);
  EXPECT_EQ(state.find(7), nullptr);
  expect_accepted(header(7, 0, 0));
  ASSERT_NE(state.find(7), nullptr);
  EXPECT_EQ(state.find(7)->producer_epoch, 0);
}

TEST_F(ProducerState, InSequenceBatchesAccepted) {
  expect_accepted(header(7, 0, 0, 3));   // 0..2, offsets 0..2
  expect_accepted(header(7, 0, 3, 1));   // 3
  expect_accepted(header(7, 0, 4, 10));  // 4..13
  const auto* e = state.find(7);
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->batches.size(), 3u);
  EXPECT_EQ(e->batches.back(), (producer_batch{4, 13, 4, 13, 1'700'000'000'000}));
  // Other producers are independent, and batches without a producer id are not tracked.
  expect_accepted(header(8, 5, 0));
  expect_accepted(header(-1, -1, -1, 4));
  expect_accepted(header(-1, -1, -1, 4));
  EXPECT_EQ(state.size(), 2u);
}

TEST_F(ProducerState, DuplicateOfLastBatchReturnsOriginalOffsets) {
  expect_accepted(header(-1, -1, -1, 5));  // offsets 0..4, someone else's
  expect_accepted(header(7, 0, 0, 3));     // offsets 5..7
  auto c = append(header(7, 0, 0, 3));
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->duplicate);
  EXPECT_EQ(c->original.first_offset, 5);
  EXPECT_EQ(c->original.last_offset, 7);
  EXPECT_EQ(next_offset, 8);  // nothing appended
  // The same first sequence with another length is no duplicate, and out of sequence.
  EXPECT_EQ(append(header(7, 0, 0, 2)).error(), errc::out_of_order_sequence);
}

TEST_F(ProducerState, DuplicateOfFifthLastBatchReturnsOriginalOffsets) {
  for (int i = 0; i < 6; ++i) {
    expect_accepted(header(7, 0, i * 2, 2));  // batch i: offsets 2i..2i+1
  }
  ASSERT_EQ(state.find(7)->batches.size(), producer_state::batches_kept);
  // Batches 1..5 are the five kept; batch 1 is the fifth last.
  auto c = append(header(7, 0, 2, 2));
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->duplicate);
  EXPECT_EQ(c->original.first_offset, 2);
  EXPECT_EQ(c->original.last_offset, 3);
  auto middle = append(header(7, 0, 6, 2));
  ASSERT_TRUE(middle);
  EXPECT_TRUE(middle->duplicate);
  EXPECT_EQ(middle->original.first_offset, 6);
}

TEST_F(ProducerState, SixthLastBatchIsOutOfOrder) {
  for (int i = 0; i < 6; ++i) {
    expect_accepted(header(7, 0, i * 2, 2));
  }
  // Batch 0 fell out of the five kept: Kafka cannot tell it from a sequence going back.
  EXPECT_EQ(append(header(7, 0, 0, 2)).error(), errc::out_of_order_sequence);
}

TEST_F(ProducerState, GapIsOutOfOrder) {
  expect_accepted(header(7, 0, 0, 3));
  EXPECT_EQ(append(header(7, 0, 4)).error(), errc::out_of_order_sequence);  // 3 skipped
  EXPECT_EQ(append(header(7, 0, 2)).error(), errc::out_of_order_sequence);  // overlaps
  EXPECT_EQ(append(header(7, 0, 1, 2)).error(), errc::out_of_order_sequence);
  expect_accepted(header(7, 0, 3));
}

TEST_F(ProducerState, LowerEpochIsFenced) {
  expect_accepted(header(7, 3, 0, 2));
  EXPECT_EQ(append(header(7, 2, 2)).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(append(header(7, 2, 0)).error(), errc::invalid_producer_epoch);
  // Even a retry of a batch the old epoch wrote is fenced once a newer epoch is in use.
  expect_accepted(header(7, 4, 0));
  EXPECT_EQ(append(header(7, 3, 0, 2)).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(state.find(7)->producer_epoch, 4);
}

TEST_F(ProducerState, NewEpochRestartsAtZero) {
  expect_accepted(header(7, 0, 0, 5));
  EXPECT_EQ(append(header(7, 1, 5)).error(), errc::out_of_order_sequence);
  expect_accepted(header(7, 1, 0, 2));
  const auto* e = state.find(7);
  ASSERT_EQ(e->batches.size(), 1u);  // the old epoch's batches are gone
  EXPECT_EQ(e->producer_epoch, 1);
  expect_accepted(header(7, 1, 2));
  // Epochs can jump (InitProducerId bumps them), and only need to rise.
  expect_accepted(header(7, 9, 0));
}

TEST_F(ProducerState, SequenceWrapsAtIntMax) {
  // A producer near the end of the sequence space (as replayed from a log).
  auto h = header(7, 0, int32_max - 4, 3);  // int32_max-4 .. int32_max-2
  state.apply(h);
  EXPECT_EQ(state.find(7)->batches.back().last_sequence, int32_max - 2);
  // int32_max-1, int32_max, 0: the last sequence wraps.
  auto wrapping = header(7, 0, int32_max - 1, 3);
  EXPECT_EQ(last_sequence_of(wrapping), 0);
  expect_accepted(wrapping);
  EXPECT_EQ(state.find(7)->batches.back().last_sequence, 0);
  expect_accepted(header(7, 0, 1));
  // A batch ending exactly at int32_max is followed by 0.
  state.apply(header(8, 0, int32_max - 1, 2));
  EXPECT_EQ(append(header(8, 0, int32_max)).error(), errc::out_of_order_sequence);
  expect_accepted(header(8, 0, 0));
  // A retry of the wrapping batch is still recognised.
  auto retry = append(wrapping);
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate);
}

TEST_F(ProducerState, ProducerIdWithoutSequenceIsInvalid) {
  EXPECT_EQ(append(header(7, 0, -1)).error(), errc::invalid_sequence);
  expect_accepted(header(7, 0, 0));
  EXPECT_EQ(append(header(7, 0, -5)).error(), errc::invalid_sequence);
}

TEST_F(ProducerState, SeveralBatchesOfOneAppendAreCheckedInOrder) {
  std::vector<protocol::batch_header> two{header(7, 0, 0, 2), header(7, 0, 2, 3)};
  auto c = state.check(two);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->duplicate);
  std::vector<protocol::batch_header> gap{header(7, 0, 0, 2), header(7, 0, 3)};
  EXPECT_EQ(state.check(gap).error(), errc::out_of_order_sequence);
  std::vector<protocol::batch_header> fenced{header(7, 1, 0), header(7, 0, 1)};
  EXPECT_EQ(state.check(fenced).error(), errc::invalid_producer_epoch);
}

TEST_F(ProducerState, AppendOfRetriesOnlyIsDuplicateAndMixIsRefused) {
  expect_accepted(header(7, 0, 0, 2));  // 0..1
  expect_accepted(header(7, 0, 2, 3));  // 2..4
  std::vector<protocol::batch_header> retries{header(7, 0, 0, 2), header(7, 0, 2, 3)};
  auto c = state.check(retries);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->duplicate);
  EXPECT_EQ(c->original.first_offset, 0);
  EXPECT_EQ(c->original.last_offset, 4);
  std::vector<protocol::batch_header> mix{header(7, 0, 2, 3), header(7, 0, 5)};
  EXPECT_EQ(state.check(mix).error(), errc::out_of_order_sequence);
}

TEST_F(ProducerState, SnapshotRoundTrips) {
  for (int i = 0; i < 8; ++i) {
    expect_accepted(header(7, 2, i, 1));
  }
  expect_accepted(header(1234567890123, 0, 0, 10));
  state.apply(header(9, 1, int32_max, 2));
  auto bytes = state.encode(next_offset);
  auto back = producer_state::decode(std::as_bytes(std::span(bytes)), next_offset);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, state);
  EXPECT_EQ(back->entries().size(), 3u);
  // An empty state too.
  auto empty = producer_state{}.encode(0);
  EXPECT_EQ(empty.size(), 18u);
  EXPECT_TRUE(producer_state::decode(std::as_bytes(std::span(empty)), 0));
}

TEST_F(ProducerState, SnapshotWithAnyByteChangedIsRefused) {
  expect_accepted(header(7, 0, 0, 3));
  expect_accepted(header(8, 1, 0, 2));
  auto bytes = state.encode(next_offset);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
    EXPECT_EQ(producer_state::decode(std::as_bytes(std::span(damaged)), next_offset).error(),
              errc::bad_snapshot)
        << "byte " << i;
  }
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_EQ(producer_state::decode(std::as_bytes(std::span(bytes).first(n)), next_offset).error(),
              errc::bad_snapshot)
        << "cut at " << n;
  }
  // A snapshot is only good under the name it was written for.
  EXPECT_EQ(producer_state::decode(std::as_bytes(std::span(bytes)), next_offset + 1).error(),
            errc::bad_snapshot);
}

// ---- partition_log: the state on the append path and across restarts ----

class IdempotentLog : public ::testing::Test {
 protected:
  std::filesystem::path pdir() const { return dir / "t-0"; }

  std::shared_ptr<partition_log> open(open_report* report = nullptr) {
    auto log = partition_log::open(pdir(), config, flush, report);
    EXPECT_TRUE(log) << log.error().message();
    return log ? *log : nullptr;
  }

  // A batch of `count` records from producer (id, epoch) starting at `sequence`.
  static std::string batch(int64_t id, int16_t epoch, int32_t sequence, int count = 1,
                           size_t value_bytes = 16) {
    std::vector<protocol::record> records;
    for (int i = 0; i < count; ++i) {
      protocol::record r;
      r.key = "k";
      r.value = "p" + std::to_string(id) + "-s" + std::to_string(sequence + i);
      r.value.resize(std::max(r.value.size(), value_bytes), '.');
      r.timestamp_delta = i;
      records.push_back(std::move(r));
    }
    return protocol::build_batch(records, 1'700'000'000'000, id, epoch, sequence);
  }

  result<append_result> send(int64_t id, int16_t epoch, int32_t sequence, int count = 1) {
    auto b = batch(id, epoch, sequence, count, value_bytes);
    return current->append_and_wait(test::bytes_of(b));
  }

  std::vector<int64_t> snapshot_offsets() const {
    std::vector<int64_t> out;
    for (const auto& e : std::filesystem::directory_iterator(pdir())) {
      if (auto o = names::parse_producer_snapshot_file(e.path().filename().string())) {
        out.push_back(*o);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // Checks that producer 7 (epoch 0) is known with sequences 0..n-1 in batches of one
  // record at offsets 0..n-1: the last batch is a duplicate and n is next.
  void expect_producer_at(int32_t n) {
    auto last = send(7, 0, n - 1);
    ASSERT_TRUE(last) << last.error().message();
    EXPECT_TRUE(last->duplicate);
    EXPECT_EQ(last->base_offset, n - 1);
    EXPECT_EQ(send(7, 0, n + 1).error(), errc::out_of_order_sequence);
    auto next = send(7, 0, n);
    ASSERT_TRUE(next) << next.error().message();
    EXPECT_FALSE(next->duplicate);
  }

  test::temp_dir dir;
  flusher flush;
  log_config config;
  size_t value_bytes = 16;
  std::shared_ptr<partition_log> current;
};

TEST_F(IdempotentLog, DuplicateAppendIsNotWrittenAndAnsweredWithOriginalOffsets) {
  current = open();
  auto plain = test::make_batch("plain", 3);
  ASSERT_TRUE(current->append_and_wait(test::bytes_of(plain)));
  auto first = send(7, 0, 0, 2);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->base_offset, 3);
  EXPECT_EQ(first->last_offset, 4);
  EXPECT_FALSE(first->duplicate);
  auto size = current->size_bytes();
  auto retry = send(7, 0, 0, 2);
  ASSERT_TRUE(retry) << retry.error().message();
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->base_offset, 3);
  EXPECT_EQ(retry->last_offset, 4);
  EXPECT_EQ(retry->log_append_time_ms, -1);
  EXPECT_EQ(current->size_bytes(), size);
  EXPECT_EQ(current->log_end_offset(), 5);
  auto p = current->producer(7);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->batches.size(), 1u);
  EXPECT_FALSE(current->producer(8));
}

TEST_F(IdempotentLog, RefusedAppendsWriteNothing) {
  current = open();
  EXPECT_EQ(send(7, 0, 1).error(), errc::out_of_order_sequence);
  ASSERT_TRUE(send(7, 1, 0));
  EXPECT_EQ(send(7, 0, 1).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(send(7, 1, 5).error(), errc::out_of_order_sequence);
  EXPECT_EQ(current->log_end_offset(), 1);
  // Several batches in one append: all are checked, nothing written when one fails.
  auto two = batch(7, 1, 1) + batch(7, 1, 3);
  EXPECT_EQ(current->append_and_wait(test::bytes_of(two)).error(), errc::out_of_order_sequence);
  EXPECT_EQ(current->log_end_offset(), 1);
  auto good = batch(7, 1, 1) + batch(7, 1, 2, 2);
  auto r = current->append_and_wait(test::bytes_of(good));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->last_offset, 3);
  EXPECT_EQ(current->producer(7)->batches.size(), 3u);
}

TEST_F(IdempotentLog, DuplicateUnderLogAppendTimeAnswersTheOriginalTime) {
  current = open();
  auto b = batch(7, 0, 0);
  auto first = current->append_and_wait(test::bytes_of(b), {.log_append_time = true});
  ASSERT_TRUE(first);
  ASSERT_GE(first->log_append_time_ms, 0);
  auto again = batch(7, 0, 0);
  auto retry = current->append_and_wait(test::bytes_of(again), {.log_append_time = true});
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->log_append_time_ms, first->log_append_time_ms);
}

TEST_F(IdempotentLog, StateSurvivesCleanRestart) {
  current = open();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  ASSERT_TRUE(send(8, 3, 0, 4));
  auto before = current->producers();
  ASSERT_TRUE(current->close());
  current.reset();
  EXPECT_EQ(snapshot_offsets().back(), 24);

  open_report report;
  current = open(&report);
  EXPECT_TRUE(report.clean_shutdown);
  EXPECT_EQ(report.producer_snapshot_offset, 24);
  EXPECT_EQ(report.producer_batches_scanned, 0u);
  EXPECT_EQ(current->producers(), before);
  // Every one of the last five batches is still recognised as a retry.
  for (int i = 15; i < 20; ++i) {
    auto r = send(7, 0, i);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->duplicate);
    EXPECT_EQ(r->base_offset, i);
  }
  EXPECT_EQ(send(8, 2, 4).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(send(7, 0, 21).error(), errc::out_of_order_sequence);
  ASSERT_TRUE(send(7, 0, 20));
}

TEST_F(IdempotentLog, StateRebuiltAfterUncleanShutdown) {
  // No snapshot at all: the whole log is read.
  current = open();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  current.reset();  // as after SIGKILL: no close, no snapshot
  EXPECT_TRUE(snapshot_offsets().empty());
  open_report report;
  current = open(&report);
  EXPECT_FALSE(report.clean_shutdown);
  EXPECT_EQ(report.producer_snapshot_offset, -1);
  EXPECT_EQ(report.producer_batches_scanned, 10u);
  expect_producer_at(10);
}

TEST_F(IdempotentLog, StateRebuiltFromStaleSnapshotAndLogTail) {
  // Snapshots at each roll, then a crash: the last one plus the active segment.
  config.segment_bytes = 2048;
  value_bytes = 200;
  current = open();
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  ASSERT_TRUE(send(9, 0, 0));  // offset 40, in the active segment only
  ASSERT_GT(current->segment_count(), 3u);
  auto snapshots = snapshot_offsets();
  ASSERT_EQ(snapshots.size(), 2u);  // older ones pruned
  auto before = current->producers();
  current.reset();  // crash

  open_report report;
  current = open(&report);
  EXPECT_FALSE(report.clean_shutdown);
  EXPECT_EQ(report.producer_snapshot_offset, snapshots.back());
  EXPECT_EQ(report.producer_batches_scanned, static_cast<size_t>(41 - snapshots.back()));
  EXPECT_EQ(current->producers(), before);
  auto r = send(9, 0, 0);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->base_offset, 40);
  for (int i = 35; i < 40; ++i) {
    auto d = send(7, 0, i);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->duplicate) << i;
    EXPECT_EQ(d->base_offset, i);
  }
  auto next = send(7, 0, 40);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->base_offset, 41);
}

TEST_F(IdempotentLog, CorruptSnapshotIgnored) {
  current = open();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  ASSERT_TRUE(current->close());
  current.reset();
  auto path = names::producer_snapshot_file(pdir(), 10);
  ASSERT_TRUE(std::filesystem::exists(path));
  test::flip_byte(path, test::file_size(path) - 1);

  open_report report;
  current = open(&report);
  EXPECT_EQ(report.producer_snapshot_offset, -1);
  EXPECT_EQ(report.producer_batches_scanned, 10u);
  EXPECT_FALSE(std::filesystem::exists(path));  // removed
  expect_producer_at(10);
}

TEST_F(IdempotentLog, CorruptNewestSnapshotFallsBackToThePreviousOne) {
  config.segment_bytes = 2048;
  value_bytes = 200;
  current = open();
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  ASSERT_TRUE(current->close());
  current.reset();
  auto snapshots = snapshot_offsets();
  ASSERT_EQ(snapshots.size(), 2u);
  ASSERT_EQ(snapshots.back(), 30);
  std::filesystem::resize_file(names::producer_snapshot_file(pdir(), 30), 10);

  open_report report;
  current = open(&report);
  EXPECT_EQ(report.producer_snapshot_offset, snapshots.front());
  EXPECT_EQ(report.producer_batches_scanned, static_cast<size_t>(30 - snapshots.front()));
  expect_producer_at(30);
}

TEST_F(IdempotentLog, SnapshotBeyondLogEndIgnored) {
  current = open();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  ASSERT_TRUE(current->close());  // snapshot at 10
  current.reset();
  // The last two batches are lost (a torn tail cut by recovery): the snapshot at 10 names
  // batches that are gone, so retrying them must write them again.
  auto log0 = names::log_file(pdir(), 0);
  auto one = batch(7, 0, 0).size();
  std::filesystem::resize_file(log0, test::file_size(log0) - 2 * one + 10);
  std::filesystem::remove(pdir() / names::clean_shutdown_file);

  open_report report;
  current = open(&report);
  EXPECT_EQ(current->log_end_offset(), 8);
  EXPECT_EQ(report.producer_snapshot_offset, -1);
  EXPECT_EQ(report.producer_batches_scanned, 8u);
  EXPECT_FALSE(std::filesystem::exists(names::producer_snapshot_file(pdir(), 10)));
  expect_producer_at(8);  // 7 is a duplicate at offset 7; 8 goes to offset 8
  auto nine = send(7, 0, 9);
  ASSERT_TRUE(nine);
  EXPECT_FALSE(nine->duplicate);
  EXPECT_EQ(nine->base_offset, 9);
}

TEST_F(IdempotentLog, SnapshotOfACutSegmentIgnoredEvenBelowLogEnd) {
  // A snapshot taken at a roll, after which recovery cuts the older segment: the log end
  // is past the snapshot (the newer segment is whole), but the snapshot names lost batches.
  config.segment_bytes = 2048;
  value_bytes = 200;
  current = open();
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(send(7, 0, i));
  }
  auto snapshots = snapshot_offsets();
  ASSERT_FALSE(snapshots.empty());
  int64_t roll = snapshots.front();
  current.reset();
  // Damage the last batch of the first segment.
  auto log0 = names::log_file(pdir(), 0);
  test::flip_byte(log0, test::file_size(log0) - 1);
  std::filesystem::remove(names::index_file(pdir(), 0));

  open_report report;
  current = open(&report);
  EXPECT_EQ(report.segments.front().second.truncated_bytes, batch(7, 0, 0, 1, 200).size());
  EXPECT_FALSE(std::filesystem::exists(names::producer_snapshot_file(pdir(), roll)));
  EXPECT_LT(report.producer_snapshot_offset, roll);
  // The state comes from what the log holds: the last batch of the producer is still 11.
  auto r = send(7, 0, 11);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->base_offset, 11);
  // The batch lost in the cut (sequence roll-1) is not a known retry any more.
  auto p = current->producer(7);
  ASSERT_TRUE(p);
  for (const auto& b : p->batches) {
    EXPECT_NE(b.first_offset, roll - 1);
  }
}

}  // namespace
}  // namespace brook::storage
