// group_store: the durable state of consumer groups and of the transaction coordinator,
// in one SQLite database of its own, <data_dir>/groups.db (doc/formats/groups-db.md): the
// two Kafka keeps in its internal topics __consumer_offsets and __transaction_state, which
// a transaction's commit changes together. Kept apart from metadata.db so that the
// fdatasync of every offset commit does not wait behind topic metadata, and the other way
// round.
//
// What is kept, per group name:
//   - a state blob: the broker's encoding of the group (membership, generation). The store
//     never looks inside it;
//   - committed offsets, one per (topic, partition), with leader epoch, metadata and commit
//     time, as OffsetCommit gave them.
//   - per transactional id, a transaction state blob (the coordinator's encoding, never
//     looked inside here either).
// Nothing is validated here (names, offsets, epochs): that is the broker's job.
//
// Writes go through one queue and one writer thread. Each round the writer takes every
// change queued so far and applies them, in the order they were queued, in one SQLite
// transaction: one fdatasync for many callers (group commit). A caller learns the outcome
// through its `done` callback, which runs on the writer thread after the transaction is
// durable (or has failed and been rolled back: then every change of that transaction fails
// with the same error). A `done` must not block for long, and must not call write_sync.
//
// Durability: WAL journal. sync = true: synchronous=FULL, the WAL is fdatasynced before
// `done` runs, so an acknowledged write survives a process kill and a power loss (given a
// disk that honours fdatasync). sync = false: synchronous=NORMAL, an acknowledged write
// survives a process kill but the last ones may be lost on power loss.
//
// Schema (version 2), upgraded in place by numbered migrations on open:
//   schema_version(version INTEGER)                       one row: the applied version
//   groups(name TEXT PRIMARY KEY, state BLOB NOT NULL)
//   offsets(grp TEXT, topic TEXT, partition INTEGER, offset INTEGER, leader_epoch INTEGER,
//           metadata TEXT NULL, commit_time_ms INTEGER, PRIMARY KEY(grp, topic, partition))
//   transactions(id TEXT PRIMARY KEY, state BLOB NOT NULL)  (version 2)
// Opened through sqlite::database (doc/formats/sqlite.md), which refuses, unchanged, a
// file that is damaged or not SQLite at all (not_a_database); one that is not this store's,
// such as a metadata.db copied here (foreign_database); or one that a newer Brook wrote
// (newer_schema). The open's errors, and those of every later call, are sqlite::errc
// values or system errors.
//
// Thread-safe: write, remove_topic, write_sync, load and transactions may be called from
// any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"
#include "storage/sqlite/database.h"

namespace brook::storage {

// One committed offset of a group, as OffsetCommit gave it.
struct committed_offset {
  std::string topic{};
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;              // -1: none given
  std::optional<std::string> metadata{};  // null and "" are kept apart
  int64_t commit_time_ms = 0;

  bool operator==(const committed_offset&) const = default;
};

// What load() returns: one per group name that has a state blob or offsets.
struct stored_group {
  std::string name{};
  std::optional<std::vector<std::byte>> state{};
  std::vector<committed_offset> offsets{};  // sorted by (topic, partition)
};

// One group's changes, applied atomically, in this order.
struct group_changes {
  std::string group{};
  // 1. Remove the state blob and every offset of the group.
  bool delete_group = false;
  // 2. Set: replace (or create) the state blob. Unset: leave it as it is.
  std::optional<std::vector<std::byte>> state{};
  // 3. Offsets removed, as (topic, partition); absent ones are ignored.
  std::vector<std::pair<std::string, int32_t>> remove{};
  // 4. Offsets upserted, in order (a later entry for the same partition wins).
  std::vector<committed_offset> commit{};
};

// One transactional id's state: replaced, or removed (nullopt).
struct txn_changes {
  std::string transactional_id{};
  std::optional<std::vector<std::byte>> state{};
};

class group_store {
 public:
  // The file name inside the data directory.
  static constexpr std::string_view file_name = "groups.db";
  // The schema version this build writes.
  static constexpr int schema_version = 2;

  // Opens (creating if missing) the database at `path` (normally data_dir / file_name),
  // brings its schema up to date and starts the writer thread. The parent directory must
  // exist. `sync`: see Durability above.
  static result<std::unique_ptr<group_store>> open(const std::filesystem::path& path, bool sync);
  // Applies every queued write (calling its done), including those queued by a done while
  // this runs, then stops the writer thread and closes the database.
  ~group_store();
  group_store(const group_store&) = delete;
  group_store& operator=(const group_store&) = delete;

  // Everything stored, by group name. Called at start-up; it sees every write whose done
  // has run, and is consistent (one snapshot).
  result<std::vector<stored_group>> load() const;

  using done_fn = std::function<void(status)>;
  // Queues `changes`; `done` runs on the writer thread once they are durable, or with the
  // error if their transaction failed (then none of its changes were applied). Writes are
  // applied in the order of the calls. `done` may be empty.
  void write(group_changes changes, done_fn done);
  // Queues a transaction state change, in the same queue, order and semantics as write.
  void write(txn_changes changes, done_fn done);
  // Every transaction state blob, by transactional id (start-up).
  result<std::vector<std::pair<std::string, std::vector<std::byte>>>> load_transactions() const;
  // Queues the removal of every group's offsets of `topic` (the topic was deleted). Same
  // queue, order and semantics as write. Group state blobs are left alone.
  void remove_topic(std::string topic, done_fn done);
  // Queues `changes` and waits for the outcome. For tools and tests; never from a done.
  status write_sync(group_changes changes);

  // Transactions committed so far (each one holds one or more writes).
  uint64_t transactions() const;

 private:
  struct statements;
  struct topic_removal {
    std::string topic;
  };
  struct queued {
    std::variant<group_changes, topic_removal, txn_changes> change;
    done_fn done;
  };

  group_store(sqlite::database db, std::unique_ptr<statements> stmts);
  void run();
  // Applies `batch` in one transaction and commits it.
  status apply(const std::vector<queued>& batch);
  status apply_one(const group_changes& changes);
  status apply_one(const topic_removal& removal);
  status apply_one(const txn_changes& changes);

  // The connection, used by the writer thread and by load(), one at a time.
  mutable std::mutex _db_mutex;
  mutable sqlite::database _db;
  std::unique_ptr<statements> _stmts;  // on _db; finalized before it closes

  mutable std::mutex _mutex;  // guards the queue and the counters below
  std::condition_variable _cv;
  std::vector<queued> _queue;
  bool _stopping = false;
  uint64_t _transactions = 0;
  std::thread _thread;  // last: it starts once every member above exists
};

}  // namespace brook::storage
