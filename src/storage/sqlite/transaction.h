// transaction: one SQLite transaction, rolled back on destruction unless committed (also
// when a failed COMMIT left it open).
//
//   auto tx = transaction::begin(db, transaction::kind::write);
//   if (!tx) { return tx.error(); }
//   ... statements ...
//   return tx->commit();
//
// A write transaction takes the write lock up front (BEGIN IMMEDIATE), so it never fails
// half-way for want of the lock; a read transaction (BEGIN) gives its queries one snapshot.
#pragma once

#include "base/result.h"

struct sqlite3;

namespace brook::storage::sqlite {

class database;

class transaction {
 public:
  enum class kind { read, write };

  static result<transaction> begin(database& db, kind k);
  transaction(transaction&& other) noexcept;
  transaction& operator=(transaction&& other) = delete;
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

  status commit();

 private:
  explicit transaction(sqlite3* db);

  sqlite3* _db;
  bool _open = true;
};

}  // namespace brook::storage::sqlite
