#include "storage/sqlite/database.h"

#include <sqlite3.h>

#include <utility>

#include "base/file.h"
#include "base/log.h"
#include "storage/sqlite/statement.h"

namespace brook::storage::sqlite {
namespace {

// How long a statement waits for a lock held by another connection before it gives busy.
constexpr int busy_timeout_ms = 5000;

// A single-value query's answer as text ("wal", "ok", ...).
result<std::string> query_text(database& db, std::string_view sql) {
  statement s(db, sql);
  auto row = s.step();
  if (!row) {
    return row.error();
  }
  return *row ? s.text(0) : std::string();
}

}  // namespace

database::database(sqlite3* db, std::filesystem::path path) : _db(db), _path(std::move(path)) {}

database::database(database&& other) noexcept
    : _db(std::exchange(other._db, nullptr)), _path(std::move(other._path)) {}

database& database::operator=(database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(_db);
    _db = std::exchange(other._db, nullptr);
    _path = std::move(other._path);
  }
  return *this;
}

database::~database() {
  // _v2: a statement not yet finalized keeps the connection until it is.
  sqlite3_close_v2(_db);
}

result<database> database::open(const std::filesystem::path& path, const schema& s,
                                synchronous sync) {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &handle,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  database db(handle, path);  // closes the connection on every early return below
  if (rc != SQLITE_OK) {
    return error_from(handle, rc, "open " + path.string());
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, busy_timeout_ms);
  // The first read of the file: a file that is not a database fails here. Nothing is
  // written before the file is known to be this store's (switching to WAL rewrites the
  // header).
  auto check = query_text(db, "PRAGMA quick_check");
  if (!check) {
    return check.error();
  }
  if (*check != "ok") {
    log::error("sqlite {}: integrity check failed: {}", path.string(), *check);
    return errc::not_a_database;
  }
  if (auto version = recognise(db, s); !version) {
    return version.error();
  }
  auto mode = query_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) {
    return mode.error();
  }
  if (*mode != "wal") {
    log::error("sqlite {}: cannot switch to WAL (journal mode {})", path.string(), *mode);
    return errc::database_error;
  }
  if (auto st = db.exec(sync == synchronous::full ? "PRAGMA synchronous = FULL"
                                                  : "PRAGMA synchronous = NORMAL");
      !st) {
    return st.error();
  }
  if (auto st = db.exec("PRAGMA foreign_keys = ON"); !st) {
    return st.error();
  }
  if (auto st = migrate(db, s); !st) {
    return st.error();
  }
  // SQLite syncs the directory when it creates its journal files; this makes the entry of
  // a newly created database durable too.
  auto parent = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (auto st = sync_directory(parent); !st) {
    return st.error();
  }
  return db;
}

result<database> database::in_memory() {
  sqlite3* handle = nullptr;
  int rc =
      sqlite3_open_v2(":memory:", &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  database db(handle, ":memory:");
  if (rc != SQLITE_OK) {
    return error_from(handle, rc, "open");
  }
  sqlite3_extended_result_codes(handle, 1);
  return db;
}

status database::exec(const std::string& sql) {
  int rc = sqlite3_exec(_db, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    // The start of the SQL says which statement failed.
    return error_from(_db, rc, std::string_view(sql).substr(0, 60));
  }
  return {};
}

int64_t database::changes() const {
  return sqlite3_changes64(_db);
}

}  // namespace brook::storage::sqlite
