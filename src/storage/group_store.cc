#include "storage/group_store.h"

#include <future>
#include <map>

#include "storage/sqlite/statement.h"
#include "storage/sqlite/transaction.h"

namespace brook::storage {
namespace {

using sqlite::statement;
using sqlite::transaction;

// Migration n (1-based) takes the schema from version n - 1 to n (sqlite/schema.h). Append
// only: never edit a migration that has shipped. "partition" and "offset" are SQL
// keywords, hence quoted.
const char* const migrations[] = {
    // 1: group state blobs and committed offsets.
    "CREATE TABLE groups ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  state BLOB NOT NULL);"
    "CREATE TABLE offsets ("
    "  grp TEXT NOT NULL,"
    "  topic TEXT NOT NULL,"
    "  \"partition\" INTEGER NOT NULL,"
    "  \"offset\" INTEGER NOT NULL,"
    "  leader_epoch INTEGER NOT NULL,"
    "  metadata TEXT NULL,"
    "  commit_time_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (grp, topic, \"partition\")) WITHOUT ROWID;",
    // 2: the transaction coordinator's state, one blob per transactional id.
    "CREATE TABLE transactions ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  state BLOB NOT NULL);",
};
static_assert(std::size(migrations) == group_store::schema_version);

}  // namespace

// The statements the writer runs, prepared once at open.
struct group_store::statements {
  explicit statements(sqlite::database& db)
      : delete_state(db, "DELETE FROM groups WHERE name = ?1", statement::reuse::many),
        delete_group_offsets(db, "DELETE FROM offsets WHERE grp = ?1", statement::reuse::many),
        set_state(db,
                  "INSERT INTO groups (name, state) VALUES (?1, ?2) "
                  "ON CONFLICT (name) DO UPDATE SET state = excluded.state",
                  statement::reuse::many),
        delete_offset(db,
                      "DELETE FROM offsets WHERE grp = ?1 AND topic = ?2 AND \"partition\" = ?3",
                      statement::reuse::many),
        upsert_offset(db,
                      "INSERT INTO offsets (grp, topic, \"partition\", \"offset\", leader_epoch, "
                      "metadata, commit_time_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                      "ON CONFLICT (grp, topic, \"partition\") DO UPDATE SET "
                      "\"offset\" = excluded.\"offset\", leader_epoch = excluded.leader_epoch, "
                      "metadata = excluded.metadata, commit_time_ms = excluded.commit_time_ms",
                      statement::reuse::many),
        delete_topic_offsets(db, "DELETE FROM offsets WHERE topic = ?1", statement::reuse::many),
        set_txn(db,
                "INSERT INTO transactions (id, state) VALUES (?1, ?2) "
                "ON CONFLICT (id) DO UPDATE SET state = excluded.state",
                statement::reuse::many),
        delete_txn(db, "DELETE FROM transactions WHERE id = ?1", statement::reuse::many) {}

  status prepared() const {
    for (const statement* s : {&delete_state, &delete_group_offsets, &set_state, &delete_offset,
                               &upsert_offset, &delete_topic_offsets, &set_txn, &delete_txn}) {
      if (auto st = s->prepared(); !st) {
        return st;
      }
    }
    return {};
  }

  statement delete_state;
  statement delete_group_offsets;
  statement set_state;
  statement delete_offset;
  statement upsert_offset;
  statement delete_topic_offsets;
  statement set_txn;
  statement delete_txn;
};

group_store::group_store(sqlite::database db, std::unique_ptr<statements> stmts)
    : _db(std::move(db)), _stmts(std::move(stmts)), _thread([this] { run(); }) {}

group_store::~group_store() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
    _cv.notify_one();
  }
  _thread.join();
}

result<std::unique_ptr<group_store>> group_store::open(const std::filesystem::path& path,
                                                       bool sync) {
  auto db = sqlite::database::open(path, sqlite::schema{migrations},
                                   sync ? sqlite::synchronous::full : sqlite::synchronous::normal);
  if (!db) {
    return db.error();
  }
  auto stmts = std::make_unique<statements>(*db);
  if (auto st = stmts->prepared(); !st) {
    return st.error();
  }
  return std::unique_ptr<group_store>(new group_store(std::move(db).value(), std::move(stmts)));
}

result<std::vector<stored_group>> group_store::load() const {
  std::lock_guard lock(_db_mutex);
  auto tx = transaction::begin(_db, transaction::kind::read);  // one snapshot for both queries
  if (!tx) {
    return tx.error();
  }
  std::map<std::string, stored_group> by_name;
  statement groups(_db, "SELECT name, state FROM groups");
  auto read_groups = groups.each_row([&] {
    auto name = groups.text(0);
    auto& g = by_name[name];
    g.name = std::move(name);
    g.state = groups.blob(1);
  });
  if (!read_groups) {
    return read_groups.error();
  }
  statement offsets(_db,
                    "SELECT grp, topic, \"partition\", \"offset\", leader_epoch, metadata, "
                    "commit_time_ms FROM offsets ORDER BY grp, topic, \"partition\"");
  auto read_offsets = offsets.each_row([&] {
    auto name = offsets.text(0);
    auto& g = by_name[name];
    g.name = std::move(name);
    committed_offset o;
    o.topic = offsets.text(1);
    o.partition = static_cast<int32_t>(offsets.int64(2));
    o.offset = offsets.int64(3);
    o.leader_epoch = static_cast<int32_t>(offsets.int64(4));
    if (!offsets.is_null(5)) {
      o.metadata = offsets.text(5);
    }
    o.commit_time_ms = offsets.int64(6);
    g.offsets.push_back(std::move(o));
  });
  if (!read_offsets) {
    return read_offsets.error();
  }
  if (auto st = tx->commit(); !st) {
    return st.error();
  }
  std::vector<stored_group> out;
  out.reserve(by_name.size());
  for (auto& [name, g] : by_name) {
    out.push_back(std::move(g));
  }
  return out;
}

void group_store::write(group_changes changes, done_fn done) {
  std::lock_guard lock(_mutex);
  _queue.push_back({std::move(changes), std::move(done)});
  _cv.notify_one();
}

void group_store::write(txn_changes changes, done_fn done) {
  std::lock_guard lock(_mutex);
  _queue.push_back({std::move(changes), std::move(done)});
  _cv.notify_one();
}

result<std::vector<std::pair<std::string, std::vector<std::byte>>>> group_store::load_transactions()
    const {
  std::lock_guard lock(_db_mutex);
  std::vector<std::pair<std::string, std::vector<std::byte>>> out;
  statement rows(_db, "SELECT id, state FROM transactions ORDER BY id");
  auto read = rows.each_row([&] { out.emplace_back(rows.text(0), rows.blob(1)); });
  if (!read) {
    return read.error();
  }
  return out;
}

void group_store::remove_topic(std::string topic, done_fn done) {
  std::lock_guard lock(_mutex);
  _queue.push_back({topic_removal{std::move(topic)}, std::move(done)});
  _cv.notify_one();
}

status group_store::write_sync(group_changes changes) {
  std::promise<status> outcome;
  auto f = outcome.get_future();
  write(std::move(changes), [&outcome](status st) { outcome.set_value(st); });
  return f.get();
}

uint64_t group_store::transactions() const {
  std::lock_guard lock(_mutex);
  return _transactions;
}

void group_store::run() {
  std::vector<queued> batch;
  for (;;) {
    {
      std::unique_lock lock(_mutex);
      _cv.wait(lock, [this] { return _stopping || !_queue.empty(); });
      if (_queue.empty()) {
        return;  // stopping, and every write is done
      }
      batch.swap(_queue);
    }
    status st;
    {
      std::lock_guard db_lock(_db_mutex);
      st = apply(batch);
    }
    if (st) {
      std::lock_guard lock(_mutex);
      ++_transactions;
    }
    for (auto& q : batch) {
      if (q.done) {
        q.done(st);
      }
    }
    batch.clear();
  }
}

status group_store::apply(const std::vector<queued>& batch) {
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  for (const auto& q : batch) {
    auto st = std::visit([this](const auto& change) { return apply_one(change); }, q.change);
    if (!st) {
      return st;  // the transaction rolls back: none of the batch is applied
    }
  }
  return tx->commit();
}

status group_store::apply_one(const group_changes& changes) {
  auto& s = *_stmts;
  if (changes.delete_group) {
    if (auto st = s.delete_state.reset().bind(1, changes.group).run(); !st) {
      return st;
    }
    if (auto st = s.delete_group_offsets.reset().bind(1, changes.group).run(); !st) {
      return st;
    }
  }
  if (changes.state) {
    if (auto st = s.set_state.reset().bind(1, changes.group).bind(2, *changes.state).run(); !st) {
      return st;
    }
  }
  for (const auto& [topic, partition] : changes.remove) {
    auto& r = s.delete_offset.reset();
    r.bind(1, changes.group).bind(2, topic).bind(3, int64_t{partition});
    if (auto st = r.run(); !st) {
      return st;
    }
  }
  for (const auto& o : changes.commit) {
    auto& u = s.upsert_offset.reset();
    u.bind(1, changes.group)
        .bind(2, o.topic)
        .bind(3, int64_t{o.partition})
        .bind(4, o.offset)
        .bind(5, int64_t{o.leader_epoch})
        .bind(6, o.metadata)
        .bind(7, o.commit_time_ms);
    if (auto st = u.run(); !st) {
      return st;
    }
  }
  return {};
}

status group_store::apply_one(const txn_changes& changes) {
  auto& s = *_stmts;
  if (!changes.state) {
    return s.delete_txn.reset().bind(1, changes.transactional_id).run();
  }
  return s.set_txn.reset().bind(1, changes.transactional_id).bind(2, *changes.state).run();
}

status group_store::apply_one(const topic_removal& removal) {
  return _stmts->delete_topic_offsets.reset().bind(1, removal.topic).run();
}

}  // namespace brook::storage
