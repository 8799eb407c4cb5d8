// The SQLite layer's errors (storage/sqlite/): what a store's database file or SQLite
// itself refused. I/O failures stay std::system_category codes (ENOSPC, EIO, ...).
#pragma once

#include <string_view>
#include <system_error>

struct sqlite3;

namespace brook::storage::sqlite {

enum class errc {
  not_a_database = 1,  // the file is not a SQLite database, or is corrupt
  foreign_database,    // a SQLite database, but not this store's (another program's or store's)
  newer_schema,        // the database was written by a newer Brook
  busy,                // another process holds a lock on the database
  read_only,           // the database cannot be written
  cannot_open,         // the database cannot be opened or created
  database_error,      // any other SQLite failure (logged with SQLite's message)
};

const std::error_category& sqlite_category();
std::error_code make_error_code(errc e);

// SQLite's result code `rc` as an error value. SQLite's own message, the database file and
// `what` go to the log. `db` may be null (a failed open). For the layer's own files.
std::error_code error_from(sqlite3* db, int rc, std::string_view what);

}  // namespace brook::storage::sqlite

template <>
struct std::is_error_code_enum<brook::storage::sqlite::errc> : std::true_type {};
