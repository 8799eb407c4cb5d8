// aborted_txn_index: the aborted transactions of one partition, so that a read_committed
// Fetch can name those overlapping the records it returns without scanning the log. One
// `<base>.txnindex` file per segment holds the aborts whose ABORT marker is in that
// segment, in Kafka's entry layout (doc/formats/transactions.md#txnindex); all entries
// are also kept in memory, by marker offset (34 bytes each on disk, 32 in memory).
//
// Crash safety: an entry is written and fdatasynced when its marker is appended, before
// the marker is acknowledged. On open, entries at or above the offset the producer state
// is replayed from are dropped and their files cut back: the replay of the markers after
// that offset writes them again, so an entry for a marker lost in a crash never survives.
//
// Not thread-safe: partition_log changes it under its append and state locks and reads it
// under its state lock.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "base/result.h"
#include "protocol/record_batch.h"

namespace brook::storage {

struct aborted_txn {
  int64_t producer_id = -1;
  int64_t first_offset = -1;        // the transaction's first offset in the partition
  int64_t last_offset = -1;         // its ABORT marker's offset
  int64_t last_stable_offset = -1;  // the partition's last stable offset when it ended

  bool operator==(const aborted_txn&) const = default;
};

// Whether the batch `h` (a data batch) belongs to one of the `aborted` transactions: its
// producer's, between the transaction's first offset and its marker.
bool in_aborted(std::span<const aborted_txn> aborted, const protocol::batch_header& h);

class aborted_txn_index {
 public:
  // The bytes of one entry, and the size of every entry.
  static constexpr size_t entry_size = 34;
  explicit aborted_txn_index(std::filesystem::path dir) : _dir(std::move(dir)) {}

  // Loads the `.txnindex` files of the segments at `segment_bases` (rising), keeping only
  // entries whose marker is below `keep_below` and cutting each file back to those. A file
  // whose length is not a whole number of entries, or with an entry that does not check
  // out, is cut before the first bad entry (the replay rewrites what follows).
  status load(std::span<const int64_t> segment_bases, int64_t keep_below);

  // Writes an abort whose marker is in the segment at `segment_base` to that segment's
  // file, durably; then `remember` adds it to the entries (under the reader's lock).
  status write(int64_t segment_base, const aborted_txn& txn) const;
  void remember(const aborted_txn& txn) { _entries.push_back(txn); }

  // The aborts overlapping offsets [from, to): marker at or above `from`, first offset
  // below `to`, in marker order. The search stops at the first abort whose last stable
  // offset is at or past `to` (none after it can start below `to`).
  std::vector<aborted_txn> overlapping(int64_t from, int64_t to) const;

  // Forgets the aborts whose markers are below `offset` (their segments were deleted).
  void forget_below(int64_t offset);

  const std::vector<aborted_txn>& entries() const { return _entries; }

  // One entry's bytes, and back (nullopt when its version is not 0 or its offsets do not
  // make sense).
  static std::array<std::byte, entry_size> encode(const aborted_txn& txn);
  static std::optional<aborted_txn> decode(std::span<const std::byte, entry_size> bytes);

 private:
  std::filesystem::path _dir;
  std::vector<aborted_txn> _entries;  // by last offset
};

}  // namespace brook::storage
