// producer_state: what one partition knows of its idempotent producers, as Kafka's
// ProducerStateManager keeps it. For each producer id: its current epoch and the sequence
// numbers and offsets of its last five batches (a producer has at most five requests in
// flight, so a retry is always one of them). Before an append, `check` says whether each
// batch is the next one of its producer, a retry of a batch already in the log (answered
// with the original offsets, not written again), or refused; after the append, `apply`
// records the offsets the batches got.
//
// The rules (Kafka's, with the pre-KIP-360 rule for unknown producers):
//   - producer id < 0: not an idempotent batch, not tracked, always accepted;
//   - producer id >= 0 with a base sequence < 0: errc::invalid_sequence;
//   - an unknown producer id must start at sequence 0, else errc::out_of_order_sequence;
//   - an epoch below the producer's current one: errc::invalid_producer_epoch;
//   - an epoch above it starts the producer anew and must start at sequence 0;
//   - the same epoch: a batch with the first and last sequence of one of the five batches
//     kept is a duplicate; otherwise its base sequence must follow the last batch's last
//     sequence, which wraps from INT32_MAX to 0.
//
// Transactions: a producer's transactional batch opens its transaction in this partition
// (`txn_first_offset`, the first offset of it here) unless one is open; the control batch
// with its COMMIT or ABORT marker (`apply_marker`) closes it. The open transactions bound
// the last stable offset (partition_log); an aborted one goes to the aborted transaction
// index (aborted_txn_index.h). A marker may carry a higher epoch than the producer's
// batches (the coordinator bumps the epoch to fence a producer whose transaction timed
// out): the producer's later batches at the old epoch are refused.
//
// Persistence: `encode` / `decode` are the snapshot file, doc/formats/producer-snapshot.md.
// partition_log writes one at every roll and clean close and, on open, loads the latest
// one and `apply`s the batch headers logged after it.
//
// Not thread-safe: partition_log guards it with its append mutex. Producer ids never
// expire (Kafka's producer.id.expiration.ms is not implemented): an entry costs about
// 250 bytes, and stays until the partition is deleted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "protocol/control_record.h"
#include "protocol/record_batch.h"

namespace brook::storage {

// One batch of a producer, as appended.
struct producer_batch {
  int32_t first_sequence = 0;
  int32_t last_sequence = 0;
  int64_t first_offset = 0;  // the batch's base offset
  int64_t last_offset = 0;
  int64_t max_timestamp = -1;  // as written (the append time for LogAppendTime)

  bool operator==(const producer_batch&) const = default;
};

struct producer_entry {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<producer_batch> batches;  // of the current epoch, oldest first, at most 5
  int64_t txn_first_offset = -1;        // the open transaction's first offset here, or -1

  bool operator==(const producer_entry&) const = default;
};

// A transaction a marker closed in this partition.
struct completed_txn {
  int64_t producer_id = -1;
  int64_t first_offset = -1;  // its first batch's base offset here
  int64_t last_offset = -1;   // the marker's offset
  bool aborted = false;
};

// What `check` decided for the batches of one append.
struct producer_check {
  // Every batch is already in the log: write nothing and answer `original`.
  bool duplicate = false;
  // When duplicate: the first batch's first sequence and offset, the last batch's last
  // sequence and offset, the largest max timestamp.
  producer_batch original;
};

class producer_state {
 public:
  // Kafka's limit of requests in flight per idempotent producer, and so of batches kept.
  static constexpr size_t batches_kept = 5;

  // Checks one batch (its header as received) as its producer's next one.
  result<producer_check> check(const protocol::batch_header& batch) const;
  // Checks the batches of one append in order, each as if those before it were appended.
  // Either every batch is new (duplicate false) or every one is a retry of a batch in the
  // log (duplicate true); a mix is errc::out_of_order_sequence. A retry is recognised only
  // against batches already appended, not against an earlier batch of the same append.
  result<producer_check> check(std::span<const protocol::batch_header> batches) const;

  // Checks a control batch (a transaction marker the coordinator writes): its epoch must
  // not be below the producer's (errc::invalid_producer_epoch).
  status check_marker(const protocol::batch_header& marker) const;

  // Records a batch that is now in the log: `batch` carries its assigned base offset and
  // the max timestamp written. No checks: also used to replay the log on open. Batches
  // without a producer id, or without a sequence, are ignored (control batches too: see
  // apply_marker). True when the batch opened a transaction (at its base offset).
  bool apply(const protocol::batch_header& batch);
  // Records a control batch now in the log (`marker` with its assigned offset) with a
  // marker of `type`: the producer's epoch rises to the marker's if that is higher, and
  // its open transaction, if any, is closed and returned.
  std::optional<completed_txn> apply_marker(const protocol::batch_header& marker,
                                            protocol::control_type type);
  // The open transactions: (first offset, producer id), by first offset.
  std::vector<std::pair<int64_t, int64_t>> open_transactions() const;

  // The producer's entry, if it has one.
  const producer_entry* find(int64_t producer_id) const;
  // Every entry, by producer id.
  std::vector<producer_entry> entries() const;
  size_t size() const { return _producers.size(); }
  bool operator==(const producer_state&) const = default;

  // The snapshot file's bytes for this state taken at log end offset `offset`.
  std::string encode(int64_t offset) const;
  // Decodes a snapshot file that should have been taken at `offset` (its name's offset).
  // Any byte that does not check out, the CRC first, is errc::bad_snapshot.
  static result<producer_state> decode(std::span<const std::byte> bytes, int64_t offset);

  // Writes the snapshot `names::producer_snapshot_file(dir, offset)` atomically and durably.
  status write_snapshot(const std::filesystem::path& dir, int64_t offset) const;
  // Reads and decodes the snapshot `names::producer_snapshot_file(dir, offset)`.
  static result<producer_state> read_snapshot(const std::filesystem::path& dir, int64_t offset);

 private:
  std::unordered_map<int64_t, producer_entry> _producers;
};

// The last sequence of a batch: base sequence + last offset delta, wrapping past INT32_MAX
// to 0 as Kafka's DefaultRecordBatch.incrementSequence does.
int32_t last_sequence_of(const protocol::batch_header& batch);

}  // namespace brook::storage
