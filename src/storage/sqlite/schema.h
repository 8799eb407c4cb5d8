// schema: a store's tables, as the ordered list of migrations that builds them, and the
// runner that recognises a store's file and brings it up to date (doc/formats/sqlite.md).
//
// Migration n (1-based) takes the schema from version n - 1 to n; the version a build
// writes is the number of migrations. Append only: a migration that has shipped is never
// edited, or files written by older builds would no longer be recognised. The applied
// version is the one row of the table schema_version(version INTEGER NOT NULL).
//
// A store declares its schema in a few lines:
//   const char* const migrations[] = {
//       "CREATE TABLE users (name TEXT PRIMARY KEY NOT NULL, salt BLOB NOT NULL)",  // 1
//   };
//   auto db = sqlite::database::open(path, sqlite::schema{migrations});
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"

namespace brook::storage::sqlite {

class database;

struct schema {
  // The migrations in order; each one SQL text of one or more statements.
  std::span<const char* const> migrations;

  // The version this build writes.
  int64_t version() const { return static_cast<int64_t>(migrations.size()); }
};

// The schema version of `db`'s file, read without changing it: 0 for a new, empty
// database. Refused: tables without schema_version, or a version whose tables (those its
// migrations create) are not all there (foreign_database); a version above
// s.version() (newer_schema).
result<int64_t> recognise(database& db, const schema& s);

// Brings `db` to s.version() in one write transaction: recognises it again under the
// write lock, runs the missing migrations in order and records the new version. Nothing
// is written when the file is up to date.
status migrate(database& db, const schema& s);

}  // namespace brook::storage::sqlite
