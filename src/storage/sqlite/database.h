// database: one connection to one store's SQLite file, opened with the checks that every
// Brook store gets (doc/formats/sqlite.md):
//   1. the first read is PRAGMA quick_check: a file that is not a SQLite database, or is
//      damaged, is refused (not_a_database);
//   2. the file must be this store's (schema.h: recognise): some other program's database,
//      or another Brook store's (a metadata.db handed to the group store), is refused
//      (foreign_database); one written by a newer Brook is refused (newer_schema);
//   3. only then is anything written: the journal switches to WAL, synchronous and
//      foreign_keys are set, and the migrations run (schema.h: migrate);
//   4. the parent directory is fsynced, so that a newly created file's entry is durable.
// A refused file is left exactly as it was. A lock held by another process for more than
// 5 s gives busy.
//
// Not thread-safe: a store serialises its calls (one mutex, or one thread). Statements
// (statement.h) and transactions (transaction.h) run on it; the database must outlive them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "base/result.h"
#include "storage/sqlite/errc.h"
#include "storage/sqlite/schema.h"

struct sqlite3;

namespace brook::storage::sqlite {

// How far a COMMIT waits for the disk.
enum class synchronous {
  // The WAL is fdatasynced at every COMMIT: a committed transaction survives a process
  // kill and a power loss (on a disk that honours fdatasync).
  full,
  // The WAL is synced only at checkpoints: a committed transaction survives a process
  // kill; a power loss may take the last ones away.
  normal,
};

class database {
 public:
  // Opens (creating if missing) the database at `path` as described above. The parent
  // directory must exist.
  static result<database> open(const std::filesystem::path& path, const schema& s,
                               synchronous sync = synchronous::full);
  // An empty database in memory, without a schema or the checks above: for building a
  // schema to compare with (schema.cc) and for tests.
  static result<database> in_memory();
  database(database&& other) noexcept;
  database& operator=(database&& other) noexcept;
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  // Runs `sql`: one or more statements that return no rows.
  status exec(const std::string& sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t changes() const;
  const std::filesystem::path& path() const { return _path; }

 private:
  friend class statement;
  friend class transaction;

  database(sqlite3* db, std::filesystem::path path);

  sqlite3* _db;
  std::filesystem::path _path;
};

}  // namespace brook::storage::sqlite
