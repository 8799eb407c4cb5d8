// Transactions as one partition sees them: producer_state's open transactions and
// markers, the aborted transaction index, and a partition_log's last stable offset,
// read_committed reads and aborted list, across appends, clean restarts and crashes.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <future>

#include "base/big_endian.h"
#include "base/crc32c.h"
#include "base/file.h"
#include "protocol/control_record.h"
#include "storage/aborted_txn_index.h"
#include "storage/errc.h"
#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "storage/partition_log.h"
#include "storage/producer_state.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

using protocol::control_type;

// A transactional batch of `count` records from producer (id, epoch) at `sequence`.
std::string txn_batch(int64_t id, int16_t epoch, int32_t sequence, int count = 1,
                      const std::string& prefix = "v") {
  std::vector<protocol::record> records;
  for (int i = 0; i < count; ++i) {
    protocol::record r;
    r.key = "k";
    r.value = prefix + std::to_string(sequence + i);
    records.push_back(std::move(r));
  }
  std::string b = protocol::build_batch(records, 1'700'000'000'000, id, epoch, sequence);
  auto bytes = std::as_writable_bytes(std::span(b));
  auto attributes = be::load<int16_t>(bytes.data() + protocol::batch_layout::attributes);
  be::store(bytes.data() + protocol::batch_layout::attributes,
            static_cast<int16_t>(attributes | protocol::transactional_attribute));
  be::store(bytes.data() + protocol::batch_layout::crc, protocol::compute_batch_crc(bytes));
  return b;
}

std::span<const std::byte> view(const std::string& s) {
  return std::as_bytes(std::span(s));
}

protocol::batch_header header_of(const std::string& batch, int64_t base_offset) {
  auto h = protocol::batch_header::decode(view(batch));
  h.base_offset = base_offset;
  return h;
}

TEST(ProducerStateTxn, TransactionalBatchOpensAndMarkerClosesIt) {
  producer_state s;
  EXPECT_TRUE(s.apply(header_of(txn_batch(5, 0, 0, 3), 10)));
  EXPECT_FALSE(s.apply(header_of(txn_batch(5, 0, 3, 2), 13))) << "already open";
  EXPECT_EQ(s.open_transactions(), (std::vector<std::pair<int64_t, int64_t>>{{10, 5}}));
  auto marker = header_of(protocol::build_marker_batch(5, 0, control_type::abort, 0, 1), 15);
  auto done = s.apply_marker(marker, control_type::abort);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->producer_id, 5);
  EXPECT_EQ(done->first_offset, 10);
  EXPECT_EQ(done->last_offset, 15);
  EXPECT_TRUE(done->aborted);
  EXPECT_TRUE(s.open_transactions().empty());
  // A second marker finds nothing open; an idempotent (not transactional) batch opens none.
  EXPECT_FALSE(s.apply_marker(marker, control_type::commit));
  auto plain = protocol::build_batch(std::vector<protocol::record>(1), 1, 5, 0, 5);
  EXPECT_FALSE(s.apply(header_of(plain, 16)));
}

TEST(ProducerStateTxn, MarkerAtAHigherEpochFencesTheProducer) {
  producer_state s;
  s.apply(header_of(txn_batch(5, 3, 0), 0));
  auto marker = header_of(protocol::build_marker_batch(5, 4, control_type::abort, 0, 1), 1);
  ASSERT_TRUE(s.check_marker(marker));
  s.apply_marker(marker, control_type::abort);
  EXPECT_EQ(s.find(5)->producer_epoch, 4);
  EXPECT_EQ(s.check(header_of(txn_batch(5, 3, 1), 2)).error(), errc::invalid_producer_epoch);
  EXPECT_TRUE(s.check(header_of(txn_batch(5, 4, 0), 2))) << "the new epoch starts at 0";
  auto stale = header_of(protocol::build_marker_batch(5, 3, control_type::commit, 0, 1), 2);
  EXPECT_EQ(s.check_marker(stale).error(), errc::invalid_producer_epoch);
}

TEST(ProducerStateTxn, SnapshotKeepsOpenTransactionsAndProducersKnownOnlyByMarkers) {
  producer_state s;
  s.apply(header_of(txn_batch(5, 0, 0, 2), 0));
  s.apply_marker(header_of(protocol::build_marker_batch(9, 2, control_type::commit, 0, 1), 2),
                 control_type::commit);
  auto bytes = s.encode(3);
  auto back = producer_state::decode(view(bytes), 3);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(*back, s);
  EXPECT_EQ(back->open_transactions(), (std::vector<std::pair<int64_t, int64_t>>{{0, 5}}));
  EXPECT_TRUE(back->find(9)->batches.empty());
  // An open transaction at or past the snapshot's offset is not this snapshot's.
  EXPECT_EQ(producer_state::decode(view(s.encode(0)), 0).error(), errc::bad_snapshot);
}

TEST(ProducerStateTxn, SnapshotOfProducersKnownOnlyByMarkersLoads) {
  producer_state s;
  s.apply_marker(header_of(protocol::build_marker_batch(9, 2, control_type::abort, 0, 1), 0),
                 control_type::abort);
  auto bytes = s.encode(1);
  EXPECT_EQ(bytes.size(), 18u + 22u);
  auto back = producer_state::decode(view(bytes), 1);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->find(9)->producer_epoch, 2);
}

TEST(ProducerStateTxn, VersionOneSnapshotStillLoads) {
  // Written before transactions: version 1, no open transaction field.
  std::string b(18 + 14 + 32, '\0');
  auto* p = reinterpret_cast<std::byte*>(b.data());
  be::store(p, int16_t{1});
  be::store(p + 6, int64_t{10});
  be::store(p + 14, int32_t{1});
  be::store(p + 18, int64_t{7});                  // producer id
  be::store(p + 26, int16_t{2});                  // epoch
  be::store(p + 28, int32_t{1});                  // one batch
  be::store(p + 32, int32_t{0});                  // first sequence
  be::store(p + 36, int32_t{4});                  // last sequence
  be::store(p + 40, int64_t{3});                  // first offset
  be::store(p + 48, int64_t{7});                  // last offset
  be::store(p + 56, int64_t{1'700'000'000'000});  // max timestamp
  be::store(p + 2, crc32c::value(view(b).subspan(6)));
  auto s = producer_state::decode(view(b), 10);
  ASSERT_TRUE(s) << s.error().message();
  ASSERT_TRUE(s->find(7));
  EXPECT_EQ(s->find(7)->producer_epoch, 2);
  EXPECT_EQ(s->find(7)->txn_first_offset, -1);
  EXPECT_EQ(s->find(7)->batches.back().last_sequence, 4);
}

TEST(AbortedTxnIndex, EntriesRoundTripAndOverlapsAreFound) {
  aborted_txn t{5, 10, 20, 10};
  auto bytes = aborted_txn_index::encode(t);
  EXPECT_EQ(aborted_txn_index::decode(bytes), t);
  bytes[0] = std::byte{1};  // version 256
  EXPECT_FALSE(aborted_txn_index::decode(bytes));
  EXPECT_FALSE(aborted_txn_index::decode(aborted_txn_index::encode({5, 20, 10, 0})));

  test::temp_dir dir;
  aborted_txn_index index(dir.path());
  for (const auto& a :
       {aborted_txn{1, 0, 4, 0}, aborted_txn{2, 2, 9, 2}, aborted_txn{3, 12, 15, 12}}) {
    ASSERT_TRUE(index.write(0, a));
    index.remember(a);
  }
  auto ids = [](const std::vector<aborted_txn>& v) {
    std::vector<int64_t> out;
    for (const auto& a : v) {
      out.push_back(a.producer_id);
    }
    return out;
  };
  EXPECT_EQ(ids(index.overlapping(0, 100)), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ids(index.overlapping(5, 12)), (std::vector<int64_t>{2}));
  EXPECT_EQ(ids(index.overlapping(10, 13)), (std::vector<int64_t>{3}));
  EXPECT_EQ(ids(index.overlapping(16, 100)), (std::vector<int64_t>{}));
  // Two transactions open together and aborted one after the other: the first one's
  // marker is past the range, but the second began inside it (Kafka's stop rule is on the
  // last stable offset, not the marker).
  aborted_txn_index together(dir / "together");
  std::filesystem::create_directories(dir / "together");
  together.remember({7, 20, 30, 21});
  together.remember({8, 21, 31, 32});
  EXPECT_EQ(ids(together.overlapping(20, 25)), (std::vector<int64_t>{7, 8}));
  index.forget_below(5);
  EXPECT_EQ(ids(index.entries()), (std::vector<int64_t>{2, 3}));

  // Loading keeps the entries below the replay point and cuts the file back to them, a
  // torn entry included.
  {
    auto f = file::open(names::txn_index_file(dir.path(), 0), file::mode::read_write);
    ASSERT_TRUE(f);
    std::array<std::byte, 7> torn{};
    ASSERT_TRUE(f->write_at(*f->size(), torn));
  }
  aborted_txn_index loaded(dir.path());
  std::vector<int64_t> bases{0};
  ASSERT_TRUE(loaded.load(bases, 10));
  EXPECT_EQ(ids(loaded.entries()), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(std::filesystem::file_size(names::txn_index_file(dir.path(), 0)),
            2 * aborted_txn_index::entry_size);
}

class TxnLog : public ::testing::Test {
 protected:
  std::filesystem::path pdir() const { return dir / "t-0"; }
  std::shared_ptr<partition_log> open() {
    auto log = partition_log::open(pdir(), config, flush);
    EXPECT_TRUE(log) << log.error().message();
    return log ? *log : nullptr;
  }
  result<append_result> send(const std::string& batch) {
    auto copy = batch;
    return log->append_and_wait(std::as_writable_bytes(std::span(copy)));
  }
  result<append_result> mark(int64_t id, int16_t epoch, control_type type) {
    std::promise<result<append_result>> done;
    auto f = done.get_future();
    log->append_marker(id, epoch, type, [&done](result<append_result> r) { done.set_value(r); });
    return f.get();
  }
  // The values a read_committed reader gets from `offset` on: control batches and the
  // aborted transactions' batches dropped, as a client does with the aborted list. A read
  // returns one segment's batches: it reads again from where the last one ended.
  std::vector<std::string> committed_values(int64_t offset = 0) {
    std::vector<std::string> out;
    auto aborted = log->aborted_transactions(offset, log->high_watermark());
    for (;;) {
      auto range = log->read(offset, 1 << 20, partition_log::oversized_first_batch::returned,
                             isolation::read_committed);
      EXPECT_TRUE(range);
      if (!range || range->length == 0) {
        return out;
      }
      std::vector<std::byte> bytes(range->length);
      EXPECT_TRUE(range->owner->read_at(range->position, bytes));
      std::span<const std::byte> rest(bytes);
      while (rest.size() >= protocol::batch_layout::header_size) {
        auto h = protocol::batch_header::decode(rest);
        auto batch = rest.first(h.total_size());
        rest = rest.subspan(h.total_size());
        offset = h.last_offset() + 1;
        if (h.control() || in_aborted(aborted, h)) {
          continue;
        }
        auto records = protocol::decode_records(batch);
        for (auto& r : *records) {
          out.push_back(r.value);
        }
      }
    }
  }

  // The bytes of every `.txnindex` file of the partition.
  uint64_t index_bytes() const {
    uint64_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(pdir())) {
      if (e.path().extension() == names::txn_index_suffix) {
        n += e.file_size();
      }
    }
    return n;
  }

  test::temp_dir dir;
  flusher flush;
  log_config config;
  std::shared_ptr<partition_log> log;
};

TEST_F(TxnLog, AnOpenTransactionHoldsTheLastStableOffsetAndReadCommittedBack) {
  log = open();
  ASSERT_TRUE(send(test::make_batch("plain", 2, 0)));
  ASSERT_TRUE(send(txn_batch(5, 0, 0, 3, "open")));
  ASSERT_TRUE(send(test::make_batch("after", 1, 0)));
  EXPECT_EQ(log->high_watermark(), 6);
  EXPECT_EQ(log->last_stable_offset(), 2);
  EXPECT_EQ(log->visible_end(isolation::read_committed), 2);
  EXPECT_EQ(committed_values(), (std::vector<std::string>{"plain-0", "plain-1"}));
  auto at_lso = log->read(2, 1 << 20, partition_log::oversized_first_batch::returned,
                          isolation::read_committed);
  ASSERT_TRUE(at_lso);
  EXPECT_EQ(at_lso->length, 0u) << "from the LSO up to the high watermark: nothing yet";
  ASSERT_TRUE(mark(5, 0, control_type::commit));
  EXPECT_EQ(log->last_stable_offset(), 7);
  EXPECT_EQ(committed_values(),
            (std::vector<std::string>{"plain-0", "plain-1", "open0", "open1", "open2", "after-0"}));
}

TEST_F(TxnLog, AbortedRecordsAreListedAndDropped) {
  log = open();
  ASSERT_TRUE(send(txn_batch(5, 0, 0, 2, "a")));
  ASSERT_TRUE(send(txn_batch(6, 0, 0, 1, "b")));
  ASSERT_TRUE(mark(5, 0, control_type::abort));
  EXPECT_EQ(log->last_stable_offset(), 2) << "producer 6's transaction is still open";
  ASSERT_TRUE(mark(6, 0, control_type::commit));
  EXPECT_EQ(log->last_stable_offset(), 5);
  auto aborted = log->aborted_transactions(0, 5);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0], (aborted_txn{5, 0, 3, 2}));
  EXPECT_EQ(committed_values(), (std::vector<std::string>{"b0"}));
}

TEST_F(TxnLog, ProducersCannotWriteMarkersAndStaleMarkersAreRefused) {
  log = open();
  auto marker = protocol::build_marker_batch(5, 0, control_type::commit, 0, 1);
  EXPECT_EQ(send(marker).error(), errc::control_batch_refused);
  ASSERT_TRUE(send(txn_batch(5, 2, 0)));
  EXPECT_EQ(mark(5, 1, control_type::abort).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(log->log_end_offset(), 1) << "nothing written";
  ASSERT_TRUE(mark(5, 3, control_type::abort)) << "a fencing marker";
  EXPECT_EQ(send(txn_batch(5, 2, 1)).error(), errc::invalid_producer_epoch);
}

TEST_F(TxnLog, OpenTransactionsAndAbortsSurviveACleanRestart) {
  log = open();
  ASSERT_TRUE(send(txn_batch(5, 0, 0, 2, "a")));
  ASSERT_TRUE(mark(5, 0, control_type::abort));
  ASSERT_TRUE(send(txn_batch(6, 0, 0, 1, "b")));
  ASSERT_TRUE(log->close());
  log = open();
  EXPECT_EQ(log->last_stable_offset(), 3);
  EXPECT_EQ(log->aborted_transactions(0, 4).size(), 1u);
  ASSERT_TRUE(mark(6, 0, control_type::commit));
  EXPECT_EQ(log->last_stable_offset(), 5);
  EXPECT_EQ(log->high_watermark(), 5);
  EXPECT_EQ(committed_values(), (std::vector<std::string>{"b0"}));
}

TEST_F(TxnLog, AfterACrashTheLogRebuildsOpenTransactionsAndTheAbortedIndex) {
  log = open();
  ASSERT_TRUE(send(txn_batch(5, 0, 0, 2, "a")));
  ASSERT_TRUE(mark(5, 0, control_type::abort));
  ASSERT_TRUE(send(txn_batch(5, 0, 2, 1, "c")));
  ASSERT_TRUE(mark(5, 0, control_type::commit));
  ASSERT_TRUE(send(txn_batch(6, 0, 0, 1, "open")));
  log.reset();  // as after SIGKILL: no close, no snapshot
  // The index files lost: rebuilt from the markers in the log. (The markers' timestamps,
  // today's, roll a segment after the batches of 2023: the log has several.)
  EXPECT_EQ(index_bytes(), aborted_txn_index::entry_size);
  for (const auto& e : std::filesystem::directory_iterator(pdir())) {
    if (e.path().extension() == names::txn_index_suffix) {
      std::filesystem::remove(e.path());
    }
  }
  log = open();
  EXPECT_EQ(log->last_stable_offset(), 5);
  auto aborted = log->aborted_transactions(0, 6);
  ASSERT_EQ(aborted.size(), 1u);
  EXPECT_EQ(aborted[0].first_offset, 0);
  EXPECT_EQ(aborted[0].last_offset, 2);
  ASSERT_TRUE(mark(6, 0, control_type::abort));
  EXPECT_EQ(committed_values(), (std::vector<std::string>{"c2"}));
  // Crashed again: the index is replayed, not doubled.
  log.reset();
  log = open();
  EXPECT_EQ(log->aborted_transactions(0, 7).size(), 2u);
  EXPECT_EQ(index_bytes(), 2 * aborted_txn_index::entry_size);
}

TEST_F(TxnLog, DeleteRecordsAndRetentionDropTheAbortsOfDeletedSegments) {
  config.segment_bytes = 300;  // a segment or two per transaction
  log = open();
  ASSERT_TRUE(send(txn_batch(5, 0, 0, 2, "a")));
  ASSERT_TRUE(mark(5, 0, control_type::abort));
  ASSERT_TRUE(send(txn_batch(6, 0, 0, 2, "open")));
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(send(test::make_batch("later", 2, 64)));
  }
  ASSERT_GT(log->segment_count(), 3u);
  ASSERT_EQ(log->aborted_transactions(0, 100).size(), 1u);
  EXPECT_EQ(index_bytes(), aborted_txn_index::entry_size);
  EXPECT_EQ(log->last_stable_offset(), 3) << "producer 6's transaction";
  // DeleteRecords past the aborted transaction's segment: its entry and file go; the open
  // transaction still holds the LSO, never below the log start.
  const int64_t cut = 5;
  ASSERT_TRUE(log->delete_records_before(cut));
  EXPECT_EQ(log->log_start_offset(), cut);
  EXPECT_TRUE(log->aborted_transactions(0, 100).empty());
  EXPECT_EQ(index_bytes(), 0u);
  EXPECT_EQ(log->last_stable_offset(), cut);
  // The transaction ends: everything up to the high watermark is stable, and the records
  // from the log start are read as committed.
  ASSERT_TRUE(mark(6, 0, control_type::commit));
  EXPECT_EQ(log->last_stable_offset(), log->high_watermark());
  EXPECT_EQ(committed_values(cut).size(), 12u);
  // Retention (every sealed segment expired) keeps the active one and its aborts only.
  ASSERT_TRUE(send(txn_batch(7, 0, 0, 1, "late")));
  ASSERT_TRUE(mark(7, 0, control_type::abort));
  auto c = config;
  c.cleanup_delete = true;
  c.retention_ms = std::chrono::milliseconds(0);
  ASSERT_TRUE(log->set_config(c));
  ASSERT_TRUE(log->enforce_retention(partition_log::clock::now() + std::chrono::hours(1)));
  auto left = log->aborted_transactions(0, 1000);
  for (const auto& a : left) {
    EXPECT_GE(a.last_offset, log->log_start_offset());
  }
  EXPECT_EQ(index_bytes(), left.size() * aborted_txn_index::entry_size);
}

}  // namespace
}  // namespace brook::storage
