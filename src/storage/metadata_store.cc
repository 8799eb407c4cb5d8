#include "storage/metadata_store.h"

#include <sqlite3.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

#include "base/file.h"
#include "base/log.h"

namespace brook::storage {
namespace {

class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "metadata"; }
  std::string message(int e) const override {
    switch (static_cast<metadata_errc>(e)) {
      case metadata_errc::topic_exists:
        return "topic already exists";
      case metadata_errc::topic_id_exists:
        return "another topic has this topic id";
      case metadata_errc::unknown_topic:
        return "unknown topic";
      case metadata_errc::invalid_argument:
        return "invalid argument: a topic needs at least one partition";
      case metadata_errc::not_a_database:
        return "metadata.db is not a SQLite database or is corrupt";
      case metadata_errc::newer_schema:
        return "metadata.db was written by a newer version of Brook";
      case metadata_errc::busy:
        return "metadata.db is locked by another process";
      case metadata_errc::read_only:
        return "metadata.db is read-only";
      case metadata_errc::cannot_open:
        return "metadata.db cannot be opened";
      case metadata_errc::database_error:
        return "metadata database error";
    }
    return "metadata error";
  }
};

// Migration n (1-based) takes the schema from version n - 1 to n. Append only: never edit
// a migration that has shipped.
const char* const migrations[] = {
    // 1: topics and their config overrides.
    "CREATE TABLE topics ("
    "  name TEXT PRIMARY KEY NOT NULL,"
    "  topic_id BLOB NOT NULL UNIQUE CHECK (length(topic_id) = 16),"
    "  partition_count INTEGER NOT NULL CHECK (partition_count >= 1),"
    "  created_at_ms INTEGER NOT NULL);"
    "CREATE TABLE topic_configs ("
    "  topic TEXT NOT NULL REFERENCES topics (name) ON DELETE CASCADE,"
    "  key TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (topic, key));",
};
static_assert(std::size(migrations) == metadata_store::schema_version);

// SQLite's result code as an error value; SQLite's own message goes to the log.
std::error_code sqlite_error(sqlite3* db, int rc, std::string_view what) {
  log::warn("metadata store: {}: {} (SQLite code {})", what,
            db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
  int system = db != nullptr ? sqlite3_system_errno(db) : 0;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return metadata_errc::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return metadata_errc::busy;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return metadata_errc::read_only;
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
      return metadata_errc::cannot_open;
    default:
      return metadata_errc::database_error;
  }
}

// One prepared statement, finalized on destruction.
class statement {
 public:
  statement(sqlite3* db, std::string_view sql) : _db(db) {
    _rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &_stmt, nullptr);
  }
  ~statement() { sqlite3_finalize(_stmt); }
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  statement& bind(int i, std::string_view text) {
    keep(sqlite3_bind_text(_stmt, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  statement& bind(int i, const topic_id& id) {
    keep(sqlite3_bind_blob(_stmt, i, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT));
    return *this;
  }
  statement& bind(int i, int64_t v) {
    keep(sqlite3_bind_int64(_stmt, i, v));
    return *this;
  }
  // true: a row is ready; false: done.
  result<bool> step() {
    if (_rc != SQLITE_OK) {
      return sqlite_error(_db, _rc, "prepare");
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
  // Runs a statement that returns no rows.
  status run() {
    auto r = step();
    if (!r) {
      return r.error();
    }
    return {};
  }
  std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(_stmt, col));
    return p != nullptr ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(_stmt, col)))
                        : std::string();
  }
  int64_t int64(int col) const { return sqlite3_column_int64(_stmt, col); }
  std::optional<topic_id> id(int col) const {
    const void* p = sqlite3_column_blob(_stmt, col);
    topic_id out{};
    if (p == nullptr || sqlite3_column_bytes(_stmt, col) != static_cast<int>(out.size())) {
      return std::nullopt;
    }
    std::memcpy(out.data(), p, out.size());
    return out;
  }

 private:
  void keep(int rc) {
    if (_rc == SQLITE_OK && rc != SQLITE_OK) {
      _rc = rc;
    }
  }

  sqlite3* _db;
  sqlite3_stmt* _stmt = nullptr;
  int _rc = SQLITE_OK;
};

status exec(sqlite3* db, const char* sql, std::string_view what) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return sqlite_error(db, rc, what);
  }
  return {};
}

// A write transaction (BEGIN IMMEDIATE: the write lock up front), rolled back unless
// committed.
class transaction {
 public:
  explicit transaction(sqlite3* db) : _db(db) {}
  ~transaction() {
    if (_open) {
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

status migrate(sqlite3* db) {
  transaction tx(db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  if (auto st = exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                     "create schema_version");
      !st) {
    return st;
  }
  statement read(db, "SELECT version FROM schema_version");
  auto row = read.step();
  if (!row) {
    return row.error();
  }
  int64_t version = *row ? read.int64(0) : 0;
  if (version > metadata_store::schema_version) {
    log::error("metadata store: schema version {} is newer than this build's {}", version,
               metadata_store::schema_version);
    return metadata_errc::newer_schema;
  }
  if (version < 0) {
    return metadata_errc::not_a_database;
  }
  if (version == metadata_store::schema_version) {
    return {};  // nothing to do; the transaction rolls back
  }
  for (int64_t v = version; v < metadata_store::schema_version; ++v) {
    if (auto st = exec(db, migrations[v], "migration"); !st) {
      return st;
    }
    log::info("metadata store: schema migrated to version {}", v + 1);
  }
  statement write(db, *row ? "UPDATE schema_version SET version = ?1"
                           : "INSERT INTO schema_version (version) VALUES (?1)");
  write.bind(1, int64_t{metadata_store::schema_version});
  if (auto st = write.run(); !st) {
    return st;
  }
  return tx.commit();
}

status insert_configs(sqlite3* db, const std::string& name,
                      const std::map<std::string, std::string>& configs) {
  for (const auto& [key, value] : configs) {
    statement s(db, "INSERT INTO topic_configs (topic, key, value) VALUES (?1, ?2, ?3)");
    s.bind(1, name).bind(2, key).bind(3, value);
    if (auto st = s.run(); !st) {
      return st;
    }
  }
  return {};
}

// Whether a row matches; for existence checks.
result<bool> exists(sqlite3* db, const char* sql, const auto& key) {
  statement s(db, sql);
  s.bind(1, key);
  return s.step();
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const std::error_category& metadata_category() {
  static const category c;
  return c;
}
std::error_code make_error_code(metadata_errc e) {
  return {static_cast<int>(e), metadata_category()};
}

metadata_store::metadata_store(sqlite3* db) : _db(db) {}

metadata_store::~metadata_store() {
  sqlite3_close_v2(_db);
}

result<std::unique_ptr<metadata_store>> metadata_store::open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto ec = sqlite_error(db, rc, "open " + path.string());
    sqlite3_close_v2(db);
    return ec;
  }
  std::unique_ptr<metadata_store> store(new metadata_store(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  // The first read of the file: a file that is not a database fails here.
  auto mode = query_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) {
    return mode.error();
  }
  if (*mode != "wal") {
    log::error("metadata store: {}: cannot switch to WAL (journal mode {})", path.string(), *mode);
    return metadata_errc::database_error;
  }
  if (auto st = exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "pragma"); !st) {
    return st.error();
  }
  auto check = query_text(db, "PRAGMA quick_check");
  if (!check) {
    return check.error();
  }
  if (*check != "ok") {
    log::error("metadata store: {}: integrity check failed: {}", path.string(), *check);
    return metadata_errc::not_a_database;
  }
  if (auto st = migrate(db); !st) {
    return st.error();
  }
  // SQLite syncs the directory when it creates its journal files; this makes the entry of
  // a newly created database durable too.
  auto parent = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (auto st = sync_directory(parent); !st) {
    return st.error();
  }
  return store;
}

status metadata_store::create_topic(const std::string& name, const topic_id& id, int32_t partitions,
                                    const std::map<std::string, std::string>& configs) {
  if (partitions < 1) {
    return metadata_errc::invalid_argument;
  }
  std::lock_guard lock(_mutex);
  transaction tx(_db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  auto by_name = exists(_db, "SELECT 1 FROM topics WHERE name = ?1", name);
  if (!by_name) {
    return by_name.error();
  }
  if (*by_name) {
    return metadata_errc::topic_exists;
  }
  auto by_id = exists(_db, "SELECT 1 FROM topics WHERE topic_id = ?1", id);
  if (!by_id) {
    return by_id.error();
  }
  if (*by_id) {
    return metadata_errc::topic_id_exists;
  }
  statement s(_db,
              "INSERT INTO topics (name, topic_id, partition_count, created_at_ms) "
              "VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, name).bind(2, id).bind(3, int64_t{partitions}).bind(4, now_ms());
  if (auto st = s.run(); !st) {
    return st;
  }
  if (auto st = insert_configs(_db, name, configs); !st) {
    return st;
  }
  return tx.commit();
}

status metadata_store::delete_topic(const std::string& name) {
  std::lock_guard lock(_mutex);
  transaction tx(_db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  statement configs(_db, "DELETE FROM topic_configs WHERE topic = ?1");
  configs.bind(1, name);
  if (auto st = configs.run(); !st) {
    return st;
  }
  statement topic(_db, "DELETE FROM topics WHERE name = ?1");
  topic.bind(1, name);
  if (auto st = topic.run(); !st) {
    return st;
  }
  if (sqlite3_changes(_db) == 0) {
    return metadata_errc::unknown_topic;
  }
  return tx.commit();
}

status metadata_store::set_partition_count(const std::string& name, int32_t partitions) {
  if (partitions < 1) {
    return metadata_errc::invalid_argument;
  }
  std::lock_guard lock(_mutex);
  transaction tx(_db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  statement s(_db, "UPDATE topics SET partition_count = ?1 WHERE name = ?2");
  s.bind(1, int64_t{partitions}).bind(2, name);
  if (auto st = s.run(); !st) {
    return st;
  }
  if (sqlite3_changes(_db) == 0) {
    return metadata_errc::unknown_topic;
  }
  return tx.commit();
}

status metadata_store::set_topic_configs(const std::string& name,
                                         const std::map<std::string, std::string>& configs) {
  std::lock_guard lock(_mutex);
  transaction tx(_db);
  if (auto st = tx.begin(true); !st) {
    return st;
  }
  auto found = exists(_db, "SELECT 1 FROM topics WHERE name = ?1", name);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return metadata_errc::unknown_topic;
  }
  statement clear(_db, "DELETE FROM topic_configs WHERE topic = ?1");
  clear.bind(1, name);
  if (auto st = clear.run(); !st) {
    return st;
  }
  if (auto st = insert_configs(_db, name, configs); !st) {
    return st;
  }
  return tx.commit();
}

result<std::vector<topic_metadata>> metadata_store::list_topics() const {
  std::lock_guard lock(_mutex);
  transaction tx(_db);  // one snapshot for both queries
  if (auto st = tx.begin(false); !st) {
    return st.error();
  }
  std::vector<topic_metadata> out;
  std::map<std::string, size_t> index;
  statement topics(_db,
                   "SELECT name, topic_id, partition_count, created_at_ms FROM topics "
                   "ORDER BY name");
  while (true) {
    auto row = topics.step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    auto id = topics.id(1);
    if (!id) {
      return metadata_errc::not_a_database;
    }
    index[topics.text(0)] = out.size();
    out.push_back(
        {topics.text(0), *id, static_cast<int32_t>(topics.int64(2)), topics.int64(3), {}});
  }
  statement configs(_db, "SELECT topic, key, value FROM topic_configs");
  while (true) {
    auto row = configs.step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      break;
    }
    if (auto it = index.find(configs.text(0)); it != index.end()) {
      out[it->second].configs[configs.text(1)] = configs.text(2);
    }
  }
  if (auto st = tx.commit(); !st) {
    return st.error();
  }
  return out;
}

result<topic_metadata> metadata_store::get_topic(const std::string& name) const {
  std::lock_guard lock(_mutex);
  transaction tx(_db);
  if (auto st = tx.begin(false); !st) {
    return st.error();
  }
  statement topic(_db,
                  "SELECT name, topic_id, partition_count, created_at_ms FROM topics "
                  "WHERE name = ?1");
  topic.bind(1, name);
  auto row = topic.step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return metadata_errc::unknown_topic;
  }
  auto id = topic.id(1);
  if (!id) {
    return metadata_errc::not_a_database;
  }
  topic_metadata out{topic.text(0), *id, static_cast<int32_t>(topic.int64(2)), topic.int64(3), {}};
  statement configs(_db, "SELECT key, value FROM topic_configs WHERE topic = ?1");
  configs.bind(1, name);
  while (true) {
    auto r = configs.step();
    if (!r) {
      return r.error();
    }
    if (!*r) {
      break;
    }
    out.configs[configs.text(0)] = configs.text(1);
  }
  if (auto st = tx.commit(); !st) {
    return st.error();
  }
  return out;
}

}  // namespace brook::storage
