#include "storage/sqlite/errc.h"

#include <sqlite3.h>

#include <cerrno>
#include <string>

#include "base/log.h"

namespace brook::storage::sqlite {
namespace {

class category : public std::error_category {
 public:
  const char* name() const noexcept override { return "sqlite"; }
  std::string message(int e) const override {
    switch (static_cast<errc>(e)) {
      case errc::not_a_database:
        return "the database file is not a SQLite database or is corrupt";
      case errc::foreign_database:
        return "the database file belongs to another program or another Brook store";
      case errc::newer_schema:
        return "the database was written by a newer version of Brook";
      case errc::busy:
        return "the database is locked by another process";
      case errc::read_only:
        return "the database is read-only";
      case errc::cannot_open:
        return "the database file cannot be opened";
      case errc::database_error:
        return "database error";
    }
    return "sqlite error";
  }
};

}  // namespace

const std::error_category& sqlite_category() {
  static const category c;
  return c;
}

std::error_code make_error_code(errc e) {
  return {static_cast<int>(e), sqlite_category()};
}

std::error_code error_from(sqlite3* db, int rc, std::string_view what) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  log::warn("sqlite {}: {}: {} (SQLite code {})",
            file != nullptr && *file != '\0' ? file : "(no file)", what,
            db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
  int system = db != nullptr ? sqlite3_system_errno(db) : 0;
  switch (rc & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return errc::not_a_database;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return errc::busy;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return errc::read_only;
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
      return errc::cannot_open;
    default:
      return errc::database_error;
  }
}

}  // namespace brook::storage::sqlite
