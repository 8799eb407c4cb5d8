#include "storage/sqlite/schema.h"

#include <set>
#include <string>
#include <string_view>

#include "base/log.h"
#include "storage/sqlite/database.h"
#include "storage/sqlite/statement.h"
#include "storage/sqlite/transaction.h"

namespace brook::storage::sqlite {
namespace {

// A single-value query's answer as a number (0 when there is no row or it is NULL).
result<int64_t> query_int(database& db, std::string_view sql) {
  statement s(db, sql);
  auto row = s.step();
  if (!row) {
    return row.error();
  }
  return *row ? s.int64(0) : 0;
}

// The names of the tables in `db`.
result<std::set<std::string>> tables_of(database& db) {
  std::set<std::string> out;
  statement s(db, "SELECT name FROM sqlite_schema WHERE type = 'table'");
  if (auto st = s.each_row([&] { out.insert(s.text(0)); }); !st) {
    return st.error();
  }
  return out;
}

// The tables of schema version `version`: those its migrations create when run on an empty
// database.
result<std::set<std::string>> tables_at(const schema& s, int64_t version) {
  auto db = database::in_memory();
  if (!db) {
    return db.error();
  }
  for (int64_t v = 0; v < version; ++v) {
    if (auto st = db->exec(s.migrations[static_cast<size_t>(v)]); !st) {
      return st.error();
    }
  }
  return tables_of(*db);
}

}  // namespace

result<int64_t> recognise(database& db, const schema& s) {
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
      log::error("sqlite {}: the database has tables but no schema_version: not Brook's",
                 db.path().string());
      return errc::foreign_database;
    }
    return 0;  // a new, empty database
  }
  auto version = query_int(db, "SELECT max(version) FROM schema_version");
  if (!version) {
    return version.error();
  }
  if (*version < 0) {
    log::error("sqlite {}: schema version {} is negative", db.path().string(), *version);
    return errc::not_a_database;
  }
  // The version must come with its tables: another store's file at the same version has
  // other ones. A newer version has at least the tables of this build's.
  const bool newer = *version > s.version();
  auto expected = tables_at(s, newer ? s.version() : *version);
  if (!expected) {
    return expected.error();
  }
  auto found = tables_of(db);
  if (!found) {
    return found.error();
  }
  for (const auto& table : *expected) {
    if (!found->contains(table)) {
      log::error("sqlite {}: schema version {} without its table {}: not this store's database",
                 db.path().string(), *version, table);
      return errc::foreign_database;
    }
  }
  if (newer) {
    log::error("sqlite {}: schema version {} is newer than this build's {}", db.path().string(),
               *version, s.version());
    return errc::newer_schema;
  }
  return *version;
}

status migrate(database& db, const schema& s) {
  auto tx = transaction::begin(db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  auto version = recognise(db, s);  // again, now under the write lock
  if (!version) {
    return version.error();
  }
  if (*version == s.version()) {
    return {};  // nothing to do; the transaction rolls back
  }
  if (auto st = db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                        "DELETE FROM schema_version");
      !st) {
    return st;
  }
  for (int64_t v = *version; v < s.version(); ++v) {
    if (auto st = db.exec(s.migrations[static_cast<size_t>(v)]); !st) {
      return st;
    }
    log::info("sqlite {}: schema migrated to version {}", db.path().string(), v + 1);
  }
  statement write(db, "INSERT INTO schema_version (version) VALUES (?1)");
  write.bind(1, s.version());
  if (auto st = write.run(); !st) {
    return st;
  }
  return tx->commit();
}

}  // namespace brook::storage::sqlite
