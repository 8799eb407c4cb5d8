// partition_log: the log of one topic-partition, a directory of segments. Appends take
// record batches as the producer sent them, validate them, assign offsets in place and
// write them unchanged; reads hand back batch-aligned file ranges for sendfile.
//
// Concurrency: appends are serialised by the append mutex (one writer at a time, the
// write itself outside the state lock); readers take the state lock shared, so reads
// of one partition run in parallel with each other and with the write of an append.
// Nothing here is global: each partition has its own locks.
//
// Idempotent producers: each partition keeps a producer_state (producer_state.h), checked
// and updated under the append mutex. A retried batch is not written again; the append
// succeeds with `duplicate` set and the offsets the batch got the first time. The state is
// snapshotted at every roll and clean close and rebuilt on open from the latest snapshot
// plus the batch headers after it (doc/formats/producer-snapshot.md).
//
// Transactions (doc/formats/transactions.md): a producer's transactional batches open a
// transaction in the partition; the control batch the coordinator appends with
// append_marker closes it. The last stable offset (LSO) is the first offset of the
// earliest transaction still open, or whose marker is not yet below the high watermark,
// else the high watermark: read_committed readers read up to it. Aborted transactions
// are kept in an aborted_txn_index (`<base>.txnindex` per segment), for Fetch.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <vector>

#include "base/metric_counter.h"
#include "base/result.h"
#include "protocol/control_record.h"
#include "storage/aborted_txn_index.h"
#include "storage/log_config.h"
#include "storage/producer_state.h"
#include "storage/segment.h"

namespace brook::storage {

class flusher;

// A batch-aligned byte range of one segment file: send it with sendfile(fd, position,
// length). `owner` keeps the file open while the range is in use, even if retention
// removes the segment or the open-file cache closes it meanwhile.
struct file_range {
  std::shared_ptr<const file> owner;
  int fd = -1;
  uint64_t position = 0;
  uint64_t length = 0;
};

struct append_result {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t log_append_time_ms = -1;  // the time written into the batches, or -1
  // The batches were retries of batches already in the log (same producer id, epoch and
  // sequences): nothing was written, and the offsets (and append time) are the original ones.
  bool duplicate = false;
};

struct open_report {
  std::vector<std::pair<int64_t, segment_recovery>> segments;  // base offset, what was done
  bool clean_shutdown = false;
  // Producer state: the offset of the snapshot it was loaded from (-1: none usable) and
  // the batch headers read from the log after it.
  int64_t producer_snapshot_offset = -1;
  size_t producer_batches_scanned = 0;
  std::chrono::microseconds elapsed{0};
};

struct append_options {
  bool log_append_time = false;  // message.timestamp.type=LogAppendTime
  // The batches are transaction markers (append_marker): control batches are refused
  // otherwise (errc::control_batch_refused).
  bool markers = false;
  // Asked of each batch under the append mutex, before anything is written: false refuses
  // the append (errc::transaction_refused). Transactional Produce checks here that the
  // producer's transaction still holds the partition.
  std::function<bool(const protocol::batch_header&)> admit;
};

// Which records a read may return: everything below the high watermark, or only what is
// below the last stable offset (Kafka's isolation.level).
enum class isolation { read_uncommitted, read_committed };

struct retention_report {
  int segments_deleted = 0;
  uint64_t bytes_deleted = 0;
};

class partition_log : public std::enable_shared_from_this<partition_log> {
 public:
  using append_callback = std::function<void(result<append_result>)>;
  using clock = std::chrono::system_clock;

  // Opens (or creates) the log in `dir`, recovering it as doc/formats/log.md describes.
  static result<std::shared_ptr<partition_log>> open(const std::filesystem::path& dir,
                                                     const log_config& config, flusher& flusher,
                                                     open_report* report = nullptr);
  ~partition_log();

  // Appends one or more concatenated batches. `batches` is modified in place (base offsets,
  // and timestamps for LogAppendTime). `done` runs once the batches are as durable as the
  // log's durability asks: on the flusher's thread for `sync`, before append returns for
  // `interval` and for every error. `batches` must stay valid until append returns only.
  // Batches with a producer id are checked against the producer state first: a retry is
  // answered as a success with `duplicate` (after a flush, for `sync`), and a batch out of
  // sequence or from a fenced epoch refuses the whole append (errc::out_of_order_sequence,
  // invalid_producer_epoch, invalid_sequence) with nothing written.
  void append(std::span<std::byte> batches, const append_options& options, append_callback done);
  // append() and wait for `done`.
  result<append_result> append_and_wait(std::span<std::byte> batches,
                                        const append_options& options = {});
  // Appends the control batch ending producer `producer_id`'s transaction with a `type`
  // marker at `epoch` (not below the producer's: errc::invalid_producer_epoch), durably
  // as append() says. A marker for a producer with no transaction open here is written
  // too, and changes nothing but the producer's epoch.
  void append_marker(int64_t producer_id, int16_t epoch, protocol::control_type type,
                     append_callback done);

  // What read() does with a first batch larger than max_bytes.
  enum class oversized_first_batch { returned, left_out };
  // Reads whole batches from `offset`, up to `max_bytes` and the high watermark; the first
  // batch even when larger than `max_bytes` unless `oversized` says left_out (Fetch's rule
  // for every partition but the first with data). An empty range at the high watermark;
  // offset_out_of_range outside [log start, high watermark].
  // With read_committed, the reads stop at the last stable offset instead: an empty range
  // from an offset in [LSO, high watermark]; and `aborted`, if given, gets the aborted
  // transactions overlapping the range returned (what a read_committed Fetch answers
  // beside it, taken under the same lock so that retention cannot drop one in between).
  result<file_range> read(int64_t offset, size_t max_bytes,
                          oversized_first_batch oversized = oversized_first_batch::returned,
                          isolation level = isolation::read_uncommitted,
                          std::vector<aborted_txn>* aborted = nullptr) const;
  // The aborted transactions overlapping [from, to) (aborted_txn_index::overlapping).
  std::vector<aborted_txn> aborted_transactions(int64_t from, int64_t to) const;
  // The base offset of the first batch holding a timestamp >= `timestamp` (batch
  // precision), or nullopt if every record is older.
  std::optional<int64_t> offset_for_timestamp(int64_t timestamp) const;
  // (max timestamp, offset of the batch carrying it), or nullopt for an empty log.
  std::optional<std::pair<int64_t, int64_t>> max_timestamp() const;
  // The timestamp of the record at `offset` (its batch's append time for LogAppendTime),
  // nullopt when `offset` is at or past the high watermark or its batch cannot be found.
  // An offset at a batch's start reads the batch header only; one inside it reads (and
  // decompresses) the batch. A record below the log start counts as the first record
  // kept. What a consumer group's lag in seconds is measured from.
  std::optional<int64_t> timestamp_at(int64_t offset) const;

  // What went in and out of the partition since it was opened (for /metrics): counted by
  // append and by whoever sends fetched bytes.
  struct traffic_counters {
    metric_counter records_in;  // offsets assigned (retried duplicates not counted)
    metric_counter batches_in;
    metric_counter bytes_in;
    metric_counter bytes_out;  // fetched record bytes sent to clients
  };
  traffic_counters& traffic() const { return _traffic; }

  int64_t log_start_offset() const;
  int64_t high_watermark() const;
  // The last stable offset: the high watermark, or the first offset of the earliest
  // transaction not yet decided below it (never below the log start offset).
  int64_t last_stable_offset() const;
  // The end a reader at `level` sees: the high watermark or the last stable offset.
  int64_t visible_end(isolation level) const;
  int64_t log_end_offset() const;  // next offset to assign (written, maybe not yet durable)
  uint64_t size_bytes() const;
  size_t segment_count() const;
  // A copy of the producer's state (epoch, last batches), if the partition knows it.
  std::optional<producer_entry> producer(int64_t producer_id) const;
  // Every producer's state, by producer id (DescribeProducers).
  std::vector<producer_entry> producers() const;

  // Moves the log start offset forward to `offset` (<= high watermark), durably, and
  // deletes the segments wholly below it (DeleteRecords).
  status delete_records_before(int64_t offset);
  // Deletes the oldest segments past retention.bytes / retention.ms (cleanup.policy with
  // delete), and empty ones (any policy); never the active one.
  result<retention_report> enforce_retention(clock::time_point now);

  // Calls `wake` once (from whichever thread moves the high watermark) when the high
  // watermark passes `offset`. Returns 0 and does not register if it already has.
  uint64_t wait_for_data(int64_t offset, std::function<void()> wake);
  void cancel_wait(uint64_t id);

  // Makes everything written so far durable and, for `sync` logs, visible. Used by the
  // flusher; callable by anyone.
  status flush();
  // Flushes, writes the indexes and a producer state snapshot, and marks the directory
  // cleanly shut down. Appends after close fail with errc::log_closed.
  status close();
  // Whether close() has begun (the log cleaner stops at it).
  bool closed() const;
  // The log cleaner's hold on the log for one clean (log_cleaner.cc): close() sets
  // closed() and then waits for it.
  std::unique_lock<std::mutex> lock_for_cleaning();
  // A recovery checkpoint: flushes, then writes the active segment's indexes and a
  // producer state snapshot for what is now durable, so that recovery after a crash reads
  // only what was written after it (storage.recovery_checkpoint_interval_ms). Appends wait
  // only for the flush. Returns false when there was nothing new to checkpoint (or the
  // log closed or rolled meanwhile: that wrote complete indexes itself).
  result<bool> checkpoint();

  // The log cleaner's checkpoint: the offset up to which the log has been cleaned (what
  // follows is dirty), kept in the partition's cleaner-offset-checkpoint file. 0 at first.
  int64_t cleaner_checkpoint() const { return _cleaner_checkpoint.load(); }
  // Moves the checkpoint to `offset`, durably.
  status set_cleaner_checkpoint(int64_t offset);

  // For the log cleaner (log_cleaner.h): the sealed segments, oldest first.
  std::vector<std::shared_ptr<segment>> sealed_segments() const;
  // Swaps the cleaned copy of sealed segment `old`, complete and durable as
  // `<base>.log.cleaned`, in for it, under the append mutex (so that retention and
  // DeleteRecords cannot delete the segment in between): the copy is renamed to
  // `<base>.log.swap` and the directory synced (the commit point), the old index files
  // go, the swap file is renamed over the `.log`, and the segment is opened again with new
  // indexes. Readers holding the old file keep reading it. False, with the copy removed,
  // when `old` is no longer a sealed segment of the log (retention deleted it meanwhile)
  // or the log is closing.
  result<bool> replace_with_cleaned(const std::shared_ptr<segment>& old);
  // Finishes a committed swap of segment `base` in `dir` (also on open, after a crash).
  static status complete_swap(const std::filesystem::path& dir, int64_t base);

  const std::filesystem::path& dir() const { return _dir; }
  log_config config() const;
  // Applies new settings (segment size, retention, durability...) from the next append on.
  status set_config(const log_config& config);

 private:
  partition_log(std::filesystem::path dir, const log_config& config, flusher& flusher);
  status roll_locked();
  status persist_log_start_offset(int64_t offset) const;
  // Loads the producer state on open: the latest usable snapshot at or below `trusted_end`
  // (those beyond it, or corrupt, removed), then the batch headers logged after it.
  // `trusted_end`: where the log recovery kept is whole up to (snapshots above: stale).
  status load_producer_state(std::vector<int64_t> snapshots, int64_t trusted_end,
                             open_report& report);
  // Writes a producer state snapshot at the log end offset and removes all but the
  // previous one. Append mutex held.
  status snapshot_producer_state_locked();
  // Counts a snapshot file at `offset` as written and removes all but the last two.
  // Append mutex held.
  void keep_snapshot_locked(int64_t offset);
  void advance_high_watermark_locked(int64_t offset, int64_t segment_base, uint64_t position,
                                     std::vector<std::function<void()>>& wakes);
  uint64_t visible_limit_locked(const segment& s) const;
  int64_t last_stable_offset_locked() const;
  // Where the batch at `offset` (a batch's base offset below the high watermark) starts:
  // its segment's base offset and byte position; nullopt when it cannot be found.
  std::optional<std::pair<int64_t, uint64_t>> batch_position_locked(int64_t offset) const;
  // Records the transactions the batches of one append (offsets assigned) open and close:
  // producer state, aborted transaction index and `_unstable`. Append mutex held, state
  // lock not. `bytes` are the batches as written.
  status apply_transactions_locked(std::span<const std::byte> bytes,
                                   std::span<const protocol::batch_header> headers,
                                   int64_t segment_base);
  result<append_result> write_locked(std::span<std::byte> batches, const append_options& options);

  const std::filesystem::path _dir;
  flusher& _flusher;

  std::mutex _cleaning_mutex;         // held by a clean; taken before _append_mutex
  std::atomic<bool> _closing{false};  // close() has begun
  mutable std::mutex _append_mutex;   // one appender at a time; taken before _state_mutex
  std::mutex _sync_mutex;  // one flush() at a time; after _append_mutex, before _state_mutex
  mutable std::shared_mutex _state_mutex;
  log_config _config;
  std::vector<std::shared_ptr<segment>> _segments;  // by base offset; last is active
  int64_t _log_start_offset = 0;
  int64_t _log_end_offset = 0;
  int64_t _high_watermark = 0;
  // Where the high watermark lies: the segment holding it and the byte position in it.
  int64_t _hw_segment_base = 0;
  uint64_t _hw_position = 0;
  std::error_code _failure;  // set when a flush failed; appends refused from then on
  bool _closed = false;
  uint64_t _next_waiter = 1;
  struct waiter {
    int64_t offset;
    std::function<void()> wake;
  };
  std::map<uint64_t, waiter> _waiters;
  producer_state _producers;  // guarded by _append_mutex
  // Transactions that hold the last stable offset back: first offset -> marker offset
  // (INT64_MAX while open). An entry goes once the high watermark passes its marker.
  // Guarded by _state_mutex.
  std::map<int64_t, int64_t> _unstable;
  aborted_txn_index _aborted{_dir};  // changed under both locks, read under _state_mutex
  std::vector<int64_t> _snapshots;   // offsets of the snapshot files kept, rising
  // Index files are written by roll and close (append mutex held) and by checkpoint()
  // (append mutex not held): this orders them, and the generation, which roll and close
  // raise, tells a checkpoint that its copy of the indexes is stale.
  std::mutex _index_files_mutex;
  uint64_t _index_generation = 0;  // guarded by _index_files_mutex
  // What the last checkpoint covered (or a clean open found): the active segment and its
  // size. Guarded by _append_mutex.
  int64_t _checkpoint_base = -1;
  uint64_t _checkpoint_size = 0;
  std::atomic<int64_t> _cleaner_checkpoint{0};
  mutable traffic_counters _traffic;  // telemetry: counted by readers of a const log too
};

}  // namespace brook::storage
