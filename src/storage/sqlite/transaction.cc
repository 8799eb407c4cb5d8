#include "storage/sqlite/transaction.h"

#include <sqlite3.h>

#include <utility>

#include "storage/sqlite/database.h"
#include "storage/sqlite/errc.h"

namespace brook::storage::sqlite {

result<transaction> transaction::begin(database& db, kind k) {
  if (auto st = db.exec(k == kind::write ? "BEGIN IMMEDIATE" : "BEGIN"); !st) {
    return st.error();
  }
  return transaction(db._db);
}

transaction::transaction(sqlite3* db) : _db(db) {}

transaction::transaction(transaction&& other) noexcept
    : _db(other._db), _open(std::exchange(other._open, false)) {}

transaction::~transaction() {
  if (_open && sqlite3_get_autocommit(_db) == 0) {
    sqlite3_exec(_db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

status transaction::commit() {
  int rc = sqlite3_exec(_db, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return error_from(_db, rc, "commit");
  }
  _open = false;
  return {};
}

}  // namespace brook::storage::sqlite
