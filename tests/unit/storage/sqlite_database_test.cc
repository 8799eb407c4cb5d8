// storage/sqlite/database.h and schema.h: how a store's file is opened, recognised and
// migrated. One test per way an open goes right or wrong.
#include "storage/sqlite/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <string>
#include <vector>

#include "storage/sqlite/statement.h"
#include "support/file_contents.h"
#include "support/temp_dir.h"

namespace brook::storage::sqlite {
namespace {

// A store of notes at version 2: version 1 made the table, version 2 added a column.
const char* const notes_migrations[] = {
    "CREATE TABLE notes (body TEXT NOT NULL)",
    "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'nobody'",
};
const schema notes_v1{std::span(notes_migrations, 1)};
const schema notes_v2{notes_migrations};

// Runs `sql` on `path` with a plain SQLite connection, as another program would.
void run_sql(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << error;
  sqlite3_free(error);
  sqlite3_close(db);
}

// Every row of a one-column query, as text.
std::vector<std::string> column(database& db, const char* sql) {
  std::vector<std::string> out;
  statement s(db, sql);
  auto st = s.each_row([&] { out.push_back(s.text(0)); });
  EXPECT_TRUE(st) << st.error().message();
  return out;
}

TEST(SqliteDatabase, NewFileGetsTheSchemaInWalMode) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  auto db = database::open(path, notes_v2);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(column(*db, "SELECT version FROM schema_version"), std::vector<std::string>{"2"});
  EXPECT_EQ(column(*db, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  EXPECT_EQ(column(*db, "PRAGMA synchronous"), std::vector<std::string>{"2"});  // FULL
  EXPECT_EQ(column(*db, "PRAGMA foreign_keys"), std::vector<std::string>{"1"});
  ASSERT_TRUE(db->exec("INSERT INTO notes (body, author) VALUES ('hi', 'ann')"));
  EXPECT_EQ(column(*db, "SELECT author FROM notes"), std::vector<std::string>{"ann"});
}

TEST(SqliteDatabase, SynchronousNormalIsSet) {
  test::temp_dir dir;
  auto db = database::open(dir / "notes.db", notes_v2, synchronous::normal);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(column(*db, "PRAGMA synchronous"), std::vector<std::string>{"1"});  // NORMAL
}

TEST(SqliteDatabase, NotADatabaseFileIsRefused) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  for (const std::string& contents :
       {std::string("hello\n"), std::string(5000, 'x'),
        std::string("this is not a database, just some bytes that happen to be long enough "
                    "to fill a header\n")}) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << contents;
    }
    auto db = database::open(path, notes_v2);
    ASSERT_FALSE(db) << contents.size();
    EXPECT_EQ(db.error(), errc::not_a_database) << db.error().message();
    EXPECT_EQ(test::file_contents(path), contents);
    EXPECT_FALSE(std::filesystem::exists(dir / "notes.db-wal"));
  }
}

// Some other program's database: tables, but no schema_version.
TEST(SqliteDatabase, ForeignDatabaseIsRefused) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  run_sql(path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('theirs')");
  auto before = test::file_contents(path);
  auto db = database::open(path, notes_v2);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), errc::foreign_database);
  EXPECT_EQ(db.error().message(),
            "the database file belongs to another program or another Brook store");
  EXPECT_TRUE(test::file_contents(path) == before);
  EXPECT_FALSE(std::filesystem::exists(dir / "notes.db-wal"));
}

// Another Brook store's database: a schema_version, but not the tables of that version.
TEST(SqliteDatabase, OtherStoresDatabaseIsRefused) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  {
    const char* const other[] = {"CREATE TABLE topics (name TEXT PRIMARY KEY)"};
    auto db = database::open(path, schema{other});
    ASSERT_TRUE(db) << db.error().message();
  }
  auto before = test::file_contents(path);
  for (const schema& s : {notes_v1, notes_v2}) {
    auto db = database::open(path, s);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error(), errc::foreign_database);
    EXPECT_TRUE(test::file_contents(path) == before);
  }
}

TEST(SqliteDatabase, NewerSchemaIsRefusedAndLeftAsItWas) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  {
    auto db = database::open(path, notes_v2);
    ASSERT_TRUE(db) << db.error().message();
  }
  auto before = test::file_contents(path);
  auto db = database::open(path, notes_v1);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), errc::newer_schema);
  EXPECT_EQ(db.error().message(), "the database was written by a newer version of Brook");
  EXPECT_TRUE(test::file_contents(path) == before);
}

TEST(SqliteDatabase, CorruptDatabaseIsRefused) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  {
    auto db = database::open(path, notes_v2);
    ASSERT_TRUE(db) << db.error().message();
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(db->exec("INSERT INTO notes (body) VALUES (printf('%.300c', 'n'))"));
    }
  }
  // Keep the 100-byte header, overwrite the rest of the first pages with garbage.
  ASSERT_GT(std::filesystem::file_size(path), 8192u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    std::string junk(8000, '\xa5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto db = database::open(path, notes_v2);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error(), errc::not_a_database);
}

TEST(SqliteDatabase, MissingDirectoryIsAnError) {
  test::temp_dir dir;
  auto db = database::open(dir / "no" / "such" / "notes.db", notes_v2);
  ASSERT_FALSE(db);
  EXPECT_FALSE(db.error().message().empty());
}

// Each migration runs once, in order, and only the missing ones run on a later open.
TEST(SqliteDatabase, MigrationsRunInOrderOnce) {
  test::temp_dir dir;
  auto path = dir / "steps.db";
  // Each step records its number after the last one recorded: out of order, or twice,
  // and the numbers come out wrong.
  const char* const steps[] = {
      "CREATE TABLE steps (n INTEGER NOT NULL); INSERT INTO steps VALUES (1)",
      "INSERT INTO steps SELECT max(n) + 1 FROM steps",
      "INSERT INTO steps SELECT max(n) + 1 FROM steps",
  };
  for (size_t count : {size_t{1}, size_t{1}, size_t{3}, size_t{3}}) {
    auto db = database::open(path, schema{std::span(steps, count)});
    ASSERT_TRUE(db) << db.error().message();
    std::vector<std::string> want;
    for (size_t i = 1; i <= count; ++i) {
      want.push_back(std::to_string(i));
    }
    EXPECT_EQ(column(*db, "SELECT n FROM steps ORDER BY rowid"), want) << count;
    EXPECT_EQ(column(*db, "SELECT version FROM schema_version"),
              std::vector<std::string>{std::to_string(count)});
  }
}

// A migration that fails leaves the file at its old version, with none of the
// migrations of that open applied.
TEST(SqliteDatabase, FailedMigrationChangesNothing) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  {
    auto db = database::open(path, notes_v1);
    ASSERT_TRUE(db) << db.error().message();
    ASSERT_TRUE(db->exec("INSERT INTO notes (body) VALUES ('kept')"));
  }
  const char* const broken[] = {notes_migrations[0], notes_migrations[1],
                                "CREATE TABLE tags (name TEXT); INSERT INTO nowhere VALUES (1)"};
  auto failed = database::open(path, schema{broken});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), errc::database_error) << failed.error().message();
  auto db = database::open(path, notes_v1);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(column(*db, "SELECT version FROM schema_version"), std::vector<std::string>{"1"});
  EXPECT_EQ(column(*db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"),
            (std::vector<std::string>{"notes", "schema_version"}));
  EXPECT_EQ(column(*db, "SELECT body FROM notes"), std::vector<std::string>{"kept"});
}

// A file written by an earlier build (an older schema version, in WAL mode, as Brook
// writes it) opens, is migrated, and keeps its rows.
TEST(SqliteDatabase, ExistingDatabaseFromOlderVersionOpens) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  run_sql(path,
          "PRAGMA journal_mode = WAL;"
          "CREATE TABLE schema_version (version INTEGER NOT NULL);"
          "INSERT INTO schema_version VALUES (1);"
          "CREATE TABLE notes (body TEXT NOT NULL);"
          "INSERT INTO notes VALUES ('from an older build')");
  auto db = database::open(path, notes_v2);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(column(*db, "SELECT version FROM schema_version"), std::vector<std::string>{"2"});
  EXPECT_EQ(column(*db, "SELECT body || '/' || author FROM notes"),
            std::vector<std::string>{"from an older build/nobody"});
}

// An empty file (as `touch` leaves it) is a new database.
TEST(SqliteDatabase, EmptyFileIsANewDatabase) {
  test::temp_dir dir;
  auto path = dir / "notes.db";
  { std::ofstream out(path); }
  auto db = database::open(path, notes_v2);
  ASSERT_TRUE(db) << db.error().message();
  EXPECT_EQ(column(*db, "SELECT version FROM schema_version"), std::vector<std::string>{"2"});
}

}  // namespace
}  // namespace brook::storage::sqlite
