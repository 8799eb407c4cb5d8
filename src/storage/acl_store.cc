#include "storage/acl_store.h"

#include "base/clock.h"
#include "storage/sqlite/statement.h"
#include "storage/sqlite/transaction.h"

namespace brook::storage {
namespace {

using sqlite::statement;
using sqlite::transaction;

// Migration n (1-based) takes the schema from version n - 1 to n (sqlite/schema.h). Append
// only: never edit a migration that has shipped.
const char* const migrations[] = {
    // 1: ACL bindings.
    "CREATE TABLE acls ("
    "  resource_type INTEGER NOT NULL,"
    "  resource_name TEXT NOT NULL,"
    "  pattern_type INTEGER NOT NULL,"
    "  principal TEXT NOT NULL,"
    "  host TEXT NOT NULL,"
    "  operation INTEGER NOT NULL,"
    "  permission INTEGER NOT NULL,"
    "  created_at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (resource_type, resource_name, pattern_type, principal, host, operation,"
    "               permission));",
};
static_assert(std::size(migrations) == acl_store::schema_version);

statement& bind_acl(statement& s, const stored_acl& a) {
  return s.bind(1, int64_t{a.resource_type})
      .bind(2, a.resource_name)
      .bind(3, int64_t{a.pattern_type})
      .bind(4, a.principal)
      .bind(5, a.host)
      .bind(6, int64_t{a.operation})
      .bind(7, int64_t{a.permission});
}

}  // namespace

acl_store::acl_store(sqlite::database db) : _db(std::move(db)) {}

result<std::unique_ptr<acl_store>> acl_store::open(const std::filesystem::path& path) {
  auto db = sqlite::database::open(path, sqlite::schema{migrations}, sqlite::synchronous::full);
  if (!db) {
    return db.error();
  }
  return std::unique_ptr<acl_store>(new acl_store(std::move(db).value()));
}

status acl_store::add(const std::vector<stored_acl>& acls) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  statement s(_db,
              "INSERT OR IGNORE INTO acls (resource_type, resource_name, pattern_type, principal, "
              "host, operation, permission, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
              statement::reuse::many);
  for (const auto& a : acls) {
    s.reset();
    bind_acl(s, a).bind(8, wall_clock_ms());
    if (auto st = s.run(); !st) {
      return st;
    }
  }
  return tx->commit();
}

status acl_store::remove(const std::vector<stored_acl>& acls) {
  std::lock_guard lock(_mutex);
  auto tx = transaction::begin(_db, transaction::kind::write);
  if (!tx) {
    return tx.error();
  }
  statement s(_db,
              "DELETE FROM acls WHERE resource_type = ?1 AND resource_name = ?2 AND "
              "pattern_type = ?3 AND principal = ?4 AND host = ?5 AND operation = ?6 AND "
              "permission = ?7",
              statement::reuse::many);
  for (const auto& a : acls) {
    s.reset();
    bind_acl(s, a);
    if (auto st = s.run(); !st) {
      return st;
    }
  }
  return tx->commit();
}

result<std::vector<stored_acl>> acl_store::list() const {
  std::lock_guard lock(_mutex);
  statement s(_db,
              "SELECT resource_type, resource_name, pattern_type, principal, host, operation, "
              "permission FROM acls ORDER BY resource_type, resource_name, pattern_type, "
              "principal, host, operation, permission");
  std::vector<stored_acl> out;
  auto st = s.each_row([&] {
    out.push_back(stored_acl{static_cast<int8_t>(s.int64(0)), s.text(1),
                             static_cast<int8_t>(s.int64(2)), s.text(3), s.text(4),
                             static_cast<int8_t>(s.int64(5)), static_cast<int8_t>(s.int64(6))});
  });
  if (!st) {
    return st.error();
  }
  return out;
}

}  // namespace brook::storage
