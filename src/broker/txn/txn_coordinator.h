// txn_coordinator: Kafka's transaction coordinator for every transactional id of this
// broker (FindCoordinator with key type 1 names this node). It hands out producer ids and
// epochs to transactional producers (fencing the previous holder of an id by bumping the
// epoch), records the partitions and groups each transaction writes to, and ends a
// transaction in two steps, as Kafka's transaction log does:
//   1. the decision (PrepareCommit or PrepareAbort) is made durable in groups.db;
//   2. a COMMIT or ABORT marker is appended to every partition of the transaction and,
//      for a commit, its offsets are committed to their groups; then CompleteCommit or
//      CompleteAbort is stored and EndTxn answered.
// A restart finds every transaction whose decision is durable and completes step 2 again
// (a second marker for a transaction already ended changes nothing), so a transaction
// is committed in all its partitions and offsets or in none. A transaction open longer
// than its timeout is aborted with the epoch bumped (its producer is fenced); so is one
// open when its id is initialised again.
//
// Threads: every call may come from any thread; one mutex guards the table. Callbacks run
// after it is released: on the caller's thread, the store's writer thread, the flusher's
// or the group coordinator's.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "base/result.h"
#include "broker/txn/txn_config.h"
#include "broker/txn/txn_metadata.h"
#include "net/deadline_timer.h"
#include "protocol/kafka_error.h"

namespace brook::storage {
class group_store;
class partition_log;
}  // namespace brook::storage

namespace brook::broker::group {
class group_coordinator;
}

namespace brook::broker::txn {

using protocol::kafka_error;

struct init_result {
  kafka_error error = kafka_error::none;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};

class txn_coordinator {
 public:
  using log_lookup =
      std::function<std::shared_ptr<storage::partition_log>(const std::string&, int32_t)>;
  using pid_allocator = std::function<result<int64_t>()>;
  using error_callback = std::function<void(kafka_error)>;

  // Loads every transactional id from `store`, completes the transactions whose decision
  // was durable, and starts the timer on `timer_executor`.
  static result<std::unique_ptr<txn_coordinator>> open(txn_config config,
                                                       storage::group_store& store,
                                                       group::group_coordinator& groups,
                                                       log_lookup logs, pid_allocator allocate,
                                                       boost::asio::any_io_executor timer_executor);
  ~txn_coordinator();
  txn_coordinator(const txn_coordinator&) = delete;
  txn_coordinator& operator=(const txn_coordinator&) = delete;
  // Stops the timer and waits for the completions in flight (their markers and offsets
  // land, on the flusher's and the store's threads, which must still run).
  void stop();

  const txn_config& config() const { return _config; }

  // InitProducerId with a transactional id. `expected_*` (v3+, -1: none) name the id and
  // epoch the producer has, to bump (KIP-360).
  void init_producer_id(const std::string& id, int32_t timeout_ms, int64_t expected_producer_id,
                        int16_t expected_epoch, std::function<void(init_result)> done);
  // AddPartitionsToTxn (the partitions exist: the handler checked).
  void add_partitions(const std::string& id, int64_t producer_id, int16_t epoch,
                      const std::vector<txn_partition>& partitions, error_callback done);
  // Whether producer (id, epoch) has `p` in its open transaction: what Produce and
  // AddPartitionsToTxn's verify_only check. INVALID_TXN_STATE when it has not.
  kafka_error verify(const std::string& id, int64_t producer_id, int16_t epoch,
                     const txn_partition& p) const;
  // AddOffsetsToTxn.
  void add_offsets(const std::string& id, int64_t producer_id, int16_t epoch,
                   const std::string& group, error_callback done);
  // TxnOffsetCommit (the group member was checked by the group coordinator): the offsets
  // are committed with the transaction.
  void commit_offsets(const std::string& id, int64_t producer_id, int16_t epoch,
                      std::vector<txn_offset> offsets, error_callback done);
  // EndTxn: answered once every marker is written (or, should a marker fail, once the
  // decision is durable: the timer completes it).
  void end(const std::string& id, int64_t producer_id, int16_t epoch, bool commit,
           error_callback done);

  std::optional<txn_metadata> describe(const std::string& id) const;
  std::vector<std::pair<std::string, txn_metadata>> list() const;
  // Whether an open or committing transaction will commit an offset of (group, topic,
  // partition): OffsetFetch with require_stable answers UNSTABLE_OFFSET_COMMIT then.
  bool has_pending_offset(const std::string& group, const std::string& topic,
                          int32_t partition) const;

  // Aborts the transactions past their timeout at wall-clock `now_ms`, retries the
  // completions that failed, forgets expired ids (the timer calls this; tests may too).
  void run_checks(int64_t now_ms);

 private:
  struct entry {
    txn_metadata meta;
    bool completing = false;  // a completion (markers, offsets) is in flight
    // Partitions added whose storing is in flight: not yet written to (verify refuses them).
    std::set<txn_partition> pending;
    // Partitions whose marker of the current decision is written (a retry skips them).
    std::set<txn_partition> marked;
  };
  using completion_done = std::function<void(kafka_error, int64_t, int16_t)>;

  txn_coordinator(txn_config config, storage::group_store& store, group::group_coordinator& groups,
                  log_lookup logs, pid_allocator allocate, boost::asio::any_io_executor executor);
  // The checks every call by a producer passes: the id is known, the producer id is its
  // and the epoch current. Mutex held.
  kafka_error check_producer(const std::string& id, int64_t producer_id, int16_t epoch,
                             const entry** found) const;
  // The entry of a call by producer (producer_id, epoch) about to change its transaction
  // (`lock` holds the mutex); nullptr once `done` is answered instead, with the mutex
  // released: an unknown id or producer, a fenced epoch, or the last transaction still
  // ending (CONCURRENT_TRANSACTIONS).
  entry* open_entry_locked(std::unique_lock<std::mutex>& lock, const std::string& id,
                           int64_t producer_id, int16_t epoch, const error_callback& done);
  // Stores `meta` as the state of `id` (mutex held: the store's queue keeps the order of the
  // changes); `done` on the store's thread once durable (or failed).
  void persist_locked(const std::string& id, const txn_metadata& meta,
                      std::function<void(status)> done);
  // One piece of work (a store write, a completion) finished: stop() may return at none.
  void leave();
  // Decides the open transaction of `id` (mutex held, state ongoing, not completing):
  // the state becomes prepare_commit or prepare_abort, with the epoch raised by `bump`;
  // once durable, complete() runs and then `done`.
  void decide_locked(const std::string& id, entry& e, bool commit, int16_t bump,
                     completion_done done);
  // Step 2 for `id` (in a prepare state, `completing` set): markers, offsets, the
  // complete state. `done` gets the producer id and epoch after it.
  void complete(const std::string& id, completion_done done);
  std::chrono::steady_clock::time_point on_timer();

  const txn_config _config;
  storage::group_store& _store;
  group::group_coordinator& _groups;
  log_lookup _logs;
  pid_allocator _allocate;
  mutable std::mutex _mutex;
  std::condition_variable _settled;  // _busy fell
  size_t _busy = 0;                  // store writes and completions in flight
  std::map<std::string, entry> _txns;
  net::deadline_timer _timer;  // last: its callback uses the members above
};

}  // namespace brook::broker::txn
