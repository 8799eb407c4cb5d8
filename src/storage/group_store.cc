#include "storage/group_store.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <map>

#include "base/file.h"
#include "base/log.h"

namespace brook::storage {
namespace {

class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "group_store"; }
  std::string message(int e) const override {
    switch (static_cast<group_store_errc>(e)) {
      case group_store_errc::not_a_database:
        return "groups.db is not a SQLite database or is corrupt";
      case group_store_errc::newer_schema:
        return "groups.db was written by a newer version of Brook";
      case group_store_errc::busy:
        return "groups.db is locked by another process";
      case group_store_errc::read_only:
        return "groups.db is read-only";
      case group_store_errc::cannot_open:
        return "groups.db cannot be opened";
      case group_store_errc::database_error:
        return "groups database error";
    }
    return "group store error";
  }
};

// Migration n (1-based) takes the schema from version n - 1 to n. Append only: never edit
// a migration that has shipped. "partition" and "offset" are SQL keywords, hence quoted.
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
};
static_assert(std::size(migrations) == group_store::schema_version);

// SQLite's result code as an error value; SQLite's own message goes to the log.
std::error_code sqlite_error(sqlite3* db, int rc, std::string_view what) {
  log::warn("group store: {}: {} (SQLite code {})", what,
            db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
  int system = db != nullptr ? sqlite3_system_errno(db) : 0;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return group_store_errc::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return group_store_errc::busy;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return group_store_errc::read_only;
    case SQLITE_FULL:
      return {ENOSPC, std::system_category()};
    case SQLITE_NOMEM:
      return {ENOMEM, std::system_category()};
    case SQLITE_IOERR:
      return {system != 0 ? system : EIO, std::system_category()};
    case SQLITE_CANTOPEN:
      if (system != 0) {
        return {system, std::system_category()};
      }
      return group_store_errc::cannot_open;
    default:
      return group_store_errc::database_error;
  }
}

// One prepared statement, finalized on destruction. A statement kept for reuse is prepared
// once (persistent) and reset before each use.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql, bool persistent = false) : _db(db) {
    _prepare_rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                     persistent ? SQLITE_PREPARE_PERSISTENT : 0, &_stmt, nullptr);
    _rc = _prepare_rc;
  }
  ~statement() { sqlite3_finalize(_stmt); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // The error of preparing it, if any.
  status prepared() const {
    if (_prepare_rc != SQLITE_OK) {
      return sqlite_error(_db, _prepare_rc, "prepare");
    }
    return {};
  }
  // Ready for new bindings.
  statement& reset() {
    sqlite3_reset(_stmt);
    sqlite3_clear_bindings(_stmt);
    _rc = _prepare_rc;
    return *this;
  }

  statement& bind(int i, std::string_view text) {
    // A null pointer would bind NULL; an empty string_view may have one.
    keep(sqlite3_bind_text(_stmt, i, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                           SQLITE_TRANSIENT));
    return *this;
  }
  statement& bind(int i, const std::string& text) { return bind(i, std::string_view(text)); }
  statement& bind(int i, const std::optional<std::string>& text) {
    if (!text) {
      keep(sqlite3_bind_null(_stmt, i));
      return *this;
    }
    return bind(i, std::string_view(*text));
  }
  statement& bind(int i, const std::vector<std::byte>& blob) {
    // A zero-length blob, not NULL: sqlite3_bind_blob binds NULL for a null pointer.
    keep(blob.empty() ? sqlite3_bind_zeroblob(_stmt, i, 0)
                      : sqlite3_bind_blob(_stmt, i, blob.data(), static_cast<int>(blob.size()),
                                          SQLITE_TRANSIENT));
    return *this;
  }
  statement& bind(int i, int64_t v) {
    keep(sqlite3_bind_int64(_stmt, i, v));
    return *this;
  }
  // true: a row is ready; false: done.
  result<bool> step() {
    if (_rc != SQLITE_OK) {
      return sqlite_error(_db, _rc, _prepare_rc != SQLITE_OK ? "prepare" : "bind");
    }
    int rc = sqlite3_step(_stmt);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc == SQLITE_DONE) {
      return false;
    }
    return sqlite_error(_db, rc, "step");
  }
  // Runs a statement that returns no rows, and resets it.
  status run() {
    auto r = step();
    sqlite3_reset(_stmt);
    if (!r) {
      return r.error();
    }
    return {};
  }

  bool is_null(int col) const { return sqlite3_column_type(_stmt, col) == SQLITE_NULL; }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(_stmt, col));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(_stmt, col)))
                        : std::string();
  }
  std::vector<std::byte> blob(int col) const {
    const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(_stmt, col));
    auto n = static_cast<size_t>(sqlite3_column_bytes(_stmt, col));
    return p != nullptr ? std::vector<std::byte>(p, p + n) : std::vector<std::byte>();
  }
  int64_t int64(int col) const { return sqlite3_column_int64(_stmt, col); }

 private:
  void keep(int rc) {
    if (_rc == SQLITE_OK && rc != SQLITE_OK) {
      _rc = rc;
    }
  }

  sqlite3* _db;
  sqlite3_stmt* _stmt = nullptr;
  int _prepare_rc = SQLITE_OK;
  int _rc = SQLITE_OK;
};

status exec(sqlite3* db, const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_error(db, rc, what);
  }
  return {};
}

// A transaction (write: BEGIN IMMEDIATE, the write lock up front), rolled back unless
// committed, also when a failed COMMIT left it open.
class transaction {
 public:
  explicit transaction(sqlite3* db) : _db(db) {}
  ~transaction() {
    if (_open && sqlite3_get_autocommit(_db) == 0) {
      sqlite3_exec(_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  status begin(bool write) {
    auto st = exec(_db, write ? "BEGIN IMMEDIATE" : "BEGIN", "begin");
    _open = st.has_value();
    return st;
  }
  status commit() {
    auto st = exec(_db, "COMMIT", "commit");
    if (st) {
      _open = false;
    }
    return st;
  }

 private:
  sqlite3* _db;
  bool _open = false;
};

// A single-value query's answer as text ("wal", "ok", ...).
result<std::string> query_text(sqlite3* db, const char* sql) {
  statement s(db, sql);
  auto row = s.step();
  if (!row) {
    return row.error();
  }
  return *row ? s.text(0) : std::string();
}

// A single-value query's answer as a number (0 when there is no row).
result<int64_t> query_int(sqlite3* db, const char* sql) {
  statement s(db, sql);
  auto row = s.step();
  if (!row) {
    return row.error();
  }
  return *row ? s.int64(0) : 0;
}

// The schema version of the file, read without changing it: 0 for a new, empty database.
// Someone else's database (tables but no schema_version) is not_a_database; a newer
// Brook's is newer_schema.
result<int64_t> read_schema_version(sqlite3* db) {
  auto has_version_table = query_int(
      db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'");
  if (!has_version_table) {
    return has_version_table.error();
  }
  if (*has_version_table == 0) {
    auto objects = query_int(db, "SELECT count(*) FROM sqlite_schema");
    if (!objects) {
      return objects.error();
    }
    if (*objects != 0) {
      log::error("group store: the database has tables but no schema_version: not Brook's");
      return group_store_errc::not_a_database;
    }
    return 0;
  }
  auto version = query_int(db, "SELECT max(version) FROM schema_version");
  if (!version) {
    return version.error();
  }
  if (*version > group_store::schema_version) {
    log::error("group store: schema version {} is newer than this build's {}", *version,
               group_store::schema_version);
    return group_store_errc::newer_schema;
  }
  if (*version < 0) {
    return group_store_errc::not_a_database;
  }
  return *version;
}

status migrate(sqlite3* db) {
  transaction tx(db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  auto version = read_schema_version(db);  // again, now under the write lock
  if (!version) {
    return version.error();
  }
  if (*version == group_store::schema_version) {
    return {};  // nothing to do; the transaction rolls back
  }
  if (auto st = exec(db,
                     "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                     "DELETE FROM schema_version",
                     "create schema_version");
      !st) {
    return st;
  }
  for (int64_t v = *version; v < group_store::schema_version; ++v) {
    if (auto st = exec(db, migrations[v], "migration"); !st) {
      return st;
    }
    log::info("group store: schema migrated to version {}", v + 1);
  }
  statement write(db, "INSERT INTO schema_version (version) VALUES (?1)");
  write.bind(1, int64_t{group_store::schema_version});
  if (auto st = write.run(); !st) {
    return st;
  }
  return tx.commit();
}

}  // namespace

// The statements the writer runs, prepared once at open.
struct group_store::statements {
  explicit statements(sqlite3* db)
      : delete_state(db, "DELETE FROM groups WHERE name = ?1", true),
        delete_group_offsets(db, "DELETE FROM offsets WHERE grp = ?1", true),
        set_state(db,
                  "INSERT INTO groups (name, state) VALUES (?1, ?2) "
                  "ON CONFLICT (name) DO UPDATE SET state = excluded.state",
                  true),
        delete_offset(
            db, "DELETE FROM offsets WHERE grp = ?1 AND topic = ?2 AND \"partition\" = ?3", true),
        upsert_offset(db,
                      "INSERT INTO offsets (grp, topic, \"partition\", \"offset\", leader_epoch, "
                      "metadata, commit_time_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                      "ON CONFLICT (grp, topic, \"partition\") DO UPDATE SET "
                      "\"offset\" = excluded.\"offset\", leader_epoch = excluded.leader_epoch, "
                      "metadata = excluded.metadata, commit_time_ms = excluded.commit_time_ms",
                      true),
        delete_topic_offsets(db, "DELETE FROM offsets WHERE topic = ?1", true) {}

  status prepared() const {
    for (const statement* s : {&delete_state, &delete_group_offsets, &set_state, &delete_offset,
                               &upsert_offset, &delete_topic_offsets}) {
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
};

const std::error_category& group_store_category() {
  static const category c;
  return c;
}
std::error_code make_error_code(group_store_errc e) {
  return {static_cast<int>(e), group_store_category()};
}

group_store::group_store(sqlite3* db, std::unique_ptr<statements> stmts)
    : _db(db), _stmts(std::move(stmts)), _thread([this] { run(); }) {}

group_store::~group_store() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
    _cv.notify_one();
  }
  _thread.join();
  _stmts.reset();
  sqlite3_close_v2(_db);
}

result<std::unique_ptr<group_store>> group_store::open(const std::filesystem::path& path,
                                                       bool sync) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  // Closes the connection on every early return below.
  std::unique_ptr<sqlite3, int (*)(sqlite3*)> owner(db, sqlite3_close_v2);
  if (rc != SQLITE_OK) {
    return sqlite_error(db, rc, "open " + path.string());
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  // The first read of the file: a file that is not a database fails here. Nothing is
  // written before the file is known to be ours (switching to WAL rewrites the header).
  auto check = query_text(db, "PRAGMA quick_check");
  if (!check) {
    return check.error();
  }
  if (*check != "ok") {
    log::error("group store: {}: integrity check failed: {}", path.string(), *check);
    return group_store_errc::not_a_database;
  }
  auto version = read_schema_version(db);
  if (!version) {
    return version.error();
  }
  if (*version == schema_version) {
    // Our version must come with our tables (a metadata.db copied here has not).
    auto tables = query_int(db,
                            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                            "name IN ('groups', 'offsets')");
    if (!tables) {
      return tables.error();
    }
    if (*tables != 2) {
      log::error("group store: {}: the groups or offsets table is missing", path.string());
      return group_store_errc::not_a_database;
    }
  }
  auto mode = query_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) {
    return mode.error();
  }
  if (*mode != "wal") {
    log::error("group store: {}: cannot switch to WAL (journal mode {})", path.string(), *mode);
    return group_store_errc::database_error;
  }
  if (auto st =
          exec(db, sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", "pragma");
      !st) {
    return st.error();
  }
  if (auto st = migrate(db); !st) {
    return st.error();
  }
  auto stmts = std::make_unique<statements>(db);
  if (auto st = stmts->prepared(); !st) {
    return st.error();
  }
  // SQLite syncs the directory when it creates its journal files; this makes the entry of
  // a newly created database durable too.
  auto parent = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (auto st = sync_directory(parent); !st) {
    return st.error();
  }
  owner.release();
  return std::unique_ptr<group_store>(new group_store(db, std::move(stmts)));
}

result<std::vector<stored_group>> group_store::load() const {
  std::lock_guard lock(_db_mutex);
  transaction tx(_db);  // one snapshot for both queries
  if (auto st = tx.begin(false); !st) {
    return st.error();
  }
  std::map<std::string, stored_group> by_name;
  statement groups(_db, "SELECT name, state FROM groups");
  while (true) {
    auto row = groups.step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    auto name = groups.text(0);
    auto& g = by_name[name];
    g.name = std::move(name);
    g.state = groups.blob(1);
  }
  statement offsets(_db,
                    "SELECT grp, topic, \"partition\", \"offset\", leader_epoch, metadata, "
                    "commit_time_ms FROM offsets ORDER BY grp, topic, \"partition\"");
  while (true) {
    auto row = offsets.step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      break;
    }
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
  }
  if (auto st = tx.commit(); !st) {
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
  transaction tx(_db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  for (const auto& q : batch) {
    auto st = std::visit([this](const auto& change) { return apply_one(change); }, q.change);
    if (!st) {
      return st;  // the transaction rolls back: none of the batch is applied
    }
  }
  return tx.commit();
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

status group_store::apply_one(const topic_removal& removal) {
  return _stmts->delete_topic_offsets.reset().bind(1, removal.topic).run();
}

}  // namespace brook::storage
