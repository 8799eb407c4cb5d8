// storage/sqlite/statement.h: binding, stepping and reading, and how its failures come back.
#include "storage/sqlite/statement.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite/database.h"

namespace brook::storage::sqlite {
namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

database memory_db() {
  auto db = database::in_memory();
  EXPECT_TRUE(db) << db.error().message();
  return std::move(db).value();
}

TEST(SqliteStatement, BindsAndReadsEveryType) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v)"));
  statement insert(db, "INSERT INTO t (id, v) VALUES (?1, ?2)", statement::reuse::many);
  const std::string text = std::string("caf\xc3\xa9 with a ") + '\0' + "inside";
  std::optional<std::string> some = "optional";
  std::optional<std::string> none;
  const std::vector<std::byte> blob = bytes_of(std::string("\x00\xff\x01", 3));
  int id = 0;
  auto add = [&](auto&& bind) {
    insert.reset().bind(1, ++id);
    bind(insert);
    auto st = insert.run();
    EXPECT_TRUE(st) << st.error().message();
  };
  add([&](statement& s) { s.bind(2, text); });                                 // 1
  add([&](statement& s) { s.bind(2, std::string_view()); });                   // 2
  add([&](statement& s) { s.bind(2, "literal"); });                            // 3
  add([&](statement& s) { s.bind(2, some); });                                 // 4
  add([&](statement& s) { s.bind(2, none); });                                 // 5
  add([&](statement& s) { s.bind(2, blob); });                                 // 6
  add([&](statement& s) { s.bind(2, std::span<const std::byte>()); });         // 7
  add([&](statement& s) { s.bind(2, std::numeric_limits<int64_t>::min()); });  // 8
  add([&](statement& s) { s.bind(2, std::numeric_limits<int32_t>::max()); });  // 9
  add([&](statement& s) { s.bind(2, 2.5); });                                  // 10
  add([&](statement& s) { s.bind(2, std::nullopt); });                         // 11

  statement read(db, "SELECT v, typeof(v) FROM t ORDER BY id");
  auto next = [&read](const char* type) {
    auto row = read.step();
    EXPECT_TRUE(row && *row);
    EXPECT_EQ(read.text(1), type);
  };
  next("text");
  EXPECT_EQ(read.text(0), text);
  next("text");
  EXPECT_EQ(read.text(0), "");
  EXPECT_FALSE(read.is_null(0));  // empty, not NULL
  next("text");
  EXPECT_EQ(read.text(0), "literal");
  next("text");
  EXPECT_EQ(read.text(0), "optional");
  next("null");
  EXPECT_TRUE(read.is_null(0));
  next("blob");
  EXPECT_EQ(read.blob(0), blob);
  next("blob");
  EXPECT_EQ(read.blob(0), std::vector<std::byte>());
  EXPECT_FALSE(read.is_null(0));  // zero length, not NULL
  next("integer");
  EXPECT_EQ(read.int64(0), std::numeric_limits<int64_t>::min());
  next("integer");
  EXPECT_EQ(read.int64(0), std::numeric_limits<int32_t>::max());
  next("real");
  EXPECT_EQ(read.real(0), 2.5);
  next("null");
  EXPECT_TRUE(read.is_null(0));
  auto done = read.step();
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);
}

TEST(SqliteStatement, PrepareErrorComesBackFromStep) {
  auto db = memory_db();
  statement s(db, "SELECT * FROM nowhere");
  EXPECT_EQ(s.prepared().error(), errc::database_error);
  s.bind(1, int64_t{1});  // a bind on a failed statement is harmless
  EXPECT_EQ(s.step().error(), errc::database_error);
  EXPECT_EQ(s.run().error(), errc::database_error);
}

TEST(SqliteStatement, BindErrorComesBackFromStep) {
  auto db = memory_db();
  statement s(db, "SELECT ?1");
  ASSERT_TRUE(s.prepared());
  s.bind(2, "no such parameter");
  EXPECT_EQ(s.step().error(), errc::database_error);
  s.reset().bind(1, "fine");
  auto row = s.step();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ(s.text(0), "fine");
}

TEST(SqliteStatement, ConstraintViolationIsAnErrorAndChangesNothing) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY); INSERT INTO t VALUES ('a')"));
  statement s(db, "INSERT INTO t VALUES (?1)");
  EXPECT_EQ(s.bind(1, "a").run().error(), errc::database_error);
  statement count(db, "SELECT count(*) FROM t");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), 1);
}

TEST(SqliteStatement, KeptStatementRunsAgainWithNewBindings) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)"));
  statement upsert(db, "INSERT INTO t VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET n = excluded.n",
                   statement::reuse::many);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(upsert.reset().bind(1, i % 2 == 0 ? "even" : "odd").bind(2, i).run());
    EXPECT_EQ(db.changes(), 1);
  }
  statement read(db, "SELECT k, n FROM t ORDER BY k");
  ASSERT_TRUE(read.step().value());
  EXPECT_EQ(read.text(0), "even");
  EXPECT_EQ(read.int64(1), 8);
  ASSERT_TRUE(read.step().value());
  EXPECT_EQ(read.text(0), "odd");
  EXPECT_EQ(read.int64(1), 9);
  EXPECT_FALSE(read.step().value());
}

}  // namespace
}  // namespace brook::storage::sqlite
