// storage/sqlite/transaction.h: commit, roll back, and one snapshot for a reader.
#include "storage/sqlite/transaction.h"

#include <gtest/gtest.h>

#include "storage/sqlite/database.h"
#include "storage/sqlite/statement.h"
#include "support/temp_dir.h"

namespace brook::storage::sqlite {
namespace {

const char* const migrations[] = {"CREATE TABLE t (n INTEGER NOT NULL)"};

int64_t rows(database& db) {
  statement s(db, "SELECT count(*) FROM t");
  auto row = s.step();
  EXPECT_TRUE(row && *row);
  return s.int64(0);
}

// A transaction left without commit (an early return on error) is rolled back.
TEST(SqliteTransaction, TransactionRollsBackOnError) {
  test::temp_dir dir;
  auto db = database::open(dir / "t.db", schema{migrations});
  ASSERT_TRUE(db) << db.error().message();
  auto failing_write = [&]() -> status {
    auto tx = transaction::begin(*db, transaction::kind::write);
    if (!tx) {
      return tx.error();
    }
    if (auto st = db->exec("INSERT INTO t VALUES (1)"); !st) {
      return st;
    }
    if (auto st = db->exec("INSERT INTO t VALUES (NULL)"); !st) {  // NOT NULL fails
      return st;
    }
    return tx->commit();
  };
  EXPECT_EQ(failing_write().error(), errc::database_error);
  EXPECT_EQ(rows(*db), 0);
  // The connection is usable again: no transaction was left open.
  auto tx = transaction::begin(*db, transaction::kind::write);
  ASSERT_TRUE(tx) << tx.error().message();
  ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)"));
  ASSERT_TRUE(tx->commit());
  EXPECT_EQ(rows(*db), 1);
}

TEST(SqliteTransaction, CommittedWriteSurvivesReopen) {
  test::temp_dir dir;
  auto path = dir / "t.db";
  {
    auto db = database::open(path, schema{migrations});
    ASSERT_TRUE(db) << db.error().message();
    auto tx = transaction::begin(*db, transaction::kind::write);
    ASSERT_TRUE(tx);
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)"));
    ASSERT_TRUE(tx->commit());
  }
  auto db = database::open(path, schema{migrations});
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(rows(*db), 2);
}

// A moved-from transaction does nothing; the one it moved into still rolls back.
TEST(SqliteTransaction, MovedTransactionRollsBackOnce) {
  auto db = database::in_memory();
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->exec(migrations[0]));
  {
    auto tx = transaction::begin(*db, transaction::kind::write);
    ASSERT_TRUE(tx);
    transaction moved(std::move(*tx));
    ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(rows(*db), 0);
}

// A read transaction sees one snapshot: a write committed meanwhile by another connection
// shows only after it ends.
TEST(SqliteTransaction, ReadTransactionSeesOneSnapshot) {
  test::temp_dir dir;
  auto path = dir / "t.db";
  auto reader = database::open(path, schema{migrations});
  ASSERT_TRUE(reader) << reader.error().message();
  auto writer = database::open(path, schema{migrations});
  ASSERT_TRUE(writer) << writer.error().message();
  {
    auto tx = transaction::begin(*reader, transaction::kind::read);
    ASSERT_TRUE(tx);
    EXPECT_EQ(rows(*reader), 0);
    ASSERT_TRUE(writer->exec("INSERT INTO t VALUES (1)"));
    EXPECT_EQ(rows(*reader), 0);
    ASSERT_TRUE(tx->commit());
  }
  EXPECT_EQ(rows(*reader), 1);
}

}  // namespace
}  // namespace brook::storage::sqlite
