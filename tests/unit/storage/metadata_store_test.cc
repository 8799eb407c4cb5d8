#include "storage/metadata_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "storage/group_store.h"
#include "support/file_contents.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

using configs = std::map<std::string, std::string>;

topic_id make_id(uint8_t seed) {
  topic_id id{};
  for (size_t i = 0; i < id.size(); ++i) {
    id[i] = static_cast<uint8_t>(seed + i * 7);
  }
  return id;
}

std::unique_ptr<metadata_store> open_store(const std::filesystem::path& path) {
  auto store = metadata_store::open(path);
  EXPECT_TRUE(store) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

TEST(MetadataStore, CreatesTheFileInWalMode) {
  test::temp_dir dir;
  auto path = dir / std::string(metadata_store::file_name);
  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_TRUE(std::filesystem::exists(path));
  ASSERT_TRUE(store->create_topic("events", make_id(1), 1, {}));
  // WAL mode keeps a -wal file beside the database while it is open.
  EXPECT_TRUE(std::filesystem::exists(dir / "metadata.db-wal"));
}

TEST(MetadataStore, CreateListGetDeleteRoundTrip) {
  test::temp_dir dir;
  auto store = open_store(dir / "metadata.db");
  ASSERT_TRUE(store);
  auto empty = store->list_topics();
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(store->create_topic("orders", make_id(1), 3, {{"retention.ms", "1000"}}));
  ASSERT_TRUE(store->create_topic("events", make_id(2), 1, {}));

  auto all = store->list_topics();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "events");  // by name
  EXPECT_EQ((*all)[0].id, make_id(2));
  EXPECT_EQ((*all)[0].partitions, 1);
  EXPECT_TRUE((*all)[0].configs.empty());
  EXPECT_EQ((*all)[1].name, "orders");
  EXPECT_EQ((*all)[1].partitions, 3);
  EXPECT_EQ((*all)[1].configs, (configs{{"retention.ms", "1000"}}));
  EXPECT_GT((*all)[1].created_at_ms, 1'600'000'000'000);

  auto orders = store->get_topic("orders");
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->id, make_id(1));
  EXPECT_EQ(orders->partitions, 3);
  EXPECT_EQ(orders->configs, (configs{{"retention.ms", "1000"}}));

  ASSERT_TRUE(store->set_partition_count("orders", 6));
  ASSERT_TRUE(store->set_topic_configs(
      "orders", {{"segment.bytes", "1048576"}, {"cleanup.policy", "delete"}}));
  orders = store->get_topic("orders");
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->partitions, 6);
  // The whole set is replaced: retention.ms is gone.
  EXPECT_EQ(orders->configs, (configs{{"cleanup.policy", "delete"}, {"segment.bytes", "1048576"}}));
  ASSERT_TRUE(store->set_topic_configs("orders", {}));
  EXPECT_TRUE(store->get_topic("orders")->configs.empty());

  ASSERT_TRUE(store->delete_topic("orders"));
  EXPECT_EQ(store->get_topic("orders").error(), metadata_errc::unknown_topic);
  all = store->list_topics();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "events");

  // A deleted name can be created again, with a new id and no stale configs.
  ASSERT_TRUE(store->create_topic("orders", make_id(3), 1, {}));
  EXPECT_TRUE(store->get_topic("orders")->configs.empty());
}

TEST(MetadataStore, UnknownTopicIsAnError) {
  test::temp_dir dir;
  auto store = open_store(dir / "metadata.db");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->get_topic("nope").error(), metadata_errc::unknown_topic);
  EXPECT_EQ(store->delete_topic("nope").error(), metadata_errc::unknown_topic);
  EXPECT_EQ(store->set_partition_count("nope", 2).error(), metadata_errc::unknown_topic);
  EXPECT_EQ(store->set_topic_configs("nope", {{"a", "b"}}).error(), metadata_errc::unknown_topic);
  auto all = store->list_topics();
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->empty());
}

TEST(MetadataStore, DuplicateCreateIsRefused) {
  test::temp_dir dir;
  auto store = open_store(dir / "metadata.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->create_topic("events", make_id(1), 2, {{"retention.ms", "5"}}));
  auto again = store->create_topic("events", make_id(2), 9, {{"retention.ms", "6"}});
  EXPECT_EQ(again.error(), metadata_errc::topic_exists);
  EXPECT_EQ(store->create_topic("other", make_id(1), 1, {}).error(),
            metadata_errc::topic_id_exists);
  // The first topic is untouched and the refused one left nothing behind.
  auto events = store->get_topic("events");
  ASSERT_TRUE(events);
  EXPECT_EQ(events->id, make_id(1));
  EXPECT_EQ(events->partitions, 2);
  EXPECT_EQ(events->configs, (configs{{"retention.ms", "5"}}));
  EXPECT_EQ(store->get_topic("other").error(), metadata_errc::unknown_topic);
}

TEST(MetadataStore, PartitionCountBelowOneIsRefused) {
  test::temp_dir dir;
  auto store = open_store(dir / "metadata.db");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->create_topic("t", make_id(1), 0, {}).error(), metadata_errc::invalid_argument);
  EXPECT_EQ(store->create_topic("t", make_id(1), -1, {}).error(), metadata_errc::invalid_argument);
  ASSERT_TRUE(store->create_topic("t", make_id(1), 1, {}));
  EXPECT_EQ(store->set_partition_count("t", 0).error(), metadata_errc::invalid_argument);
}

TEST(MetadataStore, PersistsAcrossReopen) {
  test::temp_dir dir;
  auto path = dir / "metadata.db";
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->create_topic("a", make_id(1), 4, {{"retention.bytes", "100"}}));
    ASSERT_TRUE(store->create_topic("b", make_id(2), 1, {}));
    ASSERT_TRUE(store->set_partition_count("b", 2));
    ASSERT_TRUE(store->delete_topic("a"));
    ASSERT_TRUE(store->create_topic("c", make_id(3), 1, {{"segment.ms", "10"}}));
  }
  auto store = open_store(path);
  ASSERT_TRUE(store);
  auto all = store->list_topics();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "b");
  EXPECT_EQ((*all)[0].partitions, 2);
  EXPECT_EQ((*all)[1].name, "c");
  EXPECT_EQ((*all)[1].id, make_id(3));
  EXPECT_EQ((*all)[1].configs, (configs{{"segment.ms", "10"}}));
}

TEST(MetadataStore, NamesAndValuesAreStoredExactly) {
  test::temp_dir dir;
  auto store = open_store(dir / "metadata.db");
  ASSERT_TRUE(store);
  std::string odd_name = "it's; DROP TABLE topics; --";
  std::string value("with\0nul and 'quotes'", 21);
  ASSERT_TRUE(store->create_topic(odd_name, make_id(9), 1, {{"k", value}, {"empty", ""}}));
  auto t = store->get_topic(odd_name);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, odd_name);
  EXPECT_EQ(t->configs.at("k"), value);
  EXPECT_EQ(t->configs.at("empty"), "");
}

TEST(MetadataStore, ConcurrentUseFromThreads) {
  test::temp_dir dir;
  auto store = open_store(dir / "metadata.db");
  ASSERT_TRUE(store);
  constexpr int threads = 4;
  constexpr int per_thread = 25;
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        topic_id id{};
        id[0] = static_cast<uint8_t>(t);
        id[1] = static_cast<uint8_t>(i);
        if (!store->create_topic(name, id, 1, {{"retention.ms", std::to_string(i)}}) ||
            !store->set_partition_count(name, i + 1) || !store->get_topic(name) ||
            !store->list_topics()) {
          ++failures;
        }
        // Every thread also races for one shared name: exactly one create wins.
        auto shared = store->create_topic("shared-" + std::to_string(i), make_id(200), 1, {});
        if (!shared && shared.error() != metadata_errc::topic_exists &&
            shared.error() != metadata_errc::topic_id_exists) {
          ++failures;
        }
        if (i % 5 == 4 && !store->delete_topic(name)) {
          ++failures;
        }
      }
    });
  }
  for (auto& w : workers) {
    w.join();
  }
  EXPECT_EQ(failures.load(), 0);
  auto all = store->list_topics();
  ASSERT_TRUE(all);
  // threads * per_thread created, a fifth of them deleted, plus one "shared-*" topic
  // (they all use the same id, so only the first of them was created).
  EXPECT_EQ(all->size(), static_cast<size_t>(threads * per_thread * 4 / 5 + 1));
  for (const auto& t : *all) {
    if (t.name.starts_with("shared-")) {
      continue;
    }
    auto i = std::stoi(t.name.substr(t.name.find('-') + 1));
    EXPECT_EQ(t.partitions, i + 1) << t.name;
    EXPECT_EQ(t.configs.at("retention.ms"), std::to_string(i)) << t.name;
  }
}

TEST(MetadataStore, NotASqliteFileIsAClearError) {
  test::temp_dir dir;
  auto path = dir / "metadata.db";
  for (std::string contents : {std::string("hello\n"), std::string(5000, 'x'),
                               std::string("this is not a database, just some bytes that "
                                           "happen to be long enough to fill a header\n")}) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << contents;
    }
    auto store = metadata_store::open(path);
    ASSERT_FALSE(store) << contents.size();
    EXPECT_EQ(store.error(), sqlite::errc::not_a_database) << store.error().message();
    EXPECT_EQ(store.error().message(), "the database file is not a SQLite database or is corrupt");
  }
}

TEST(MetadataStore, ForeignSqliteFileIsRefused) {
  test::temp_dir dir;
  auto path = dir / "metadata.db";
  {
    auto groups = group_store::open(path, true);
    ASSERT_TRUE(groups) << groups.error().message();
  }
  auto before = test::file_contents(path);
  auto store = metadata_store::open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), sqlite::errc::foreign_database) << store.error().message();
  EXPECT_TRUE(test::file_contents(path) == before);

  std::filesystem::remove(dir / "metadata.db-wal");
  std::filesystem::remove(dir / "metadata.db-shm");
  std::filesystem::remove(path);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE notes (body TEXT)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  before = test::file_contents(path);
  store = metadata_store::open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), sqlite::errc::foreign_database);
  EXPECT_TRUE(test::file_contents(path) == before);
  EXPECT_FALSE(std::filesystem::exists(dir / "metadata.db-wal"));
}

// A metadata.db exactly as the builds before storage/sqlite/ wrote it (WAL, schema
// version 1) opens with its topics: an upgrade keeps the user's data. The shipped SQL is
// written out here, not taken from the store, so that editing a shipped migration fails.
TEST(MetadataStore, DatabaseWrittenByEarlierBuildOpens) {
  test::temp_dir dir;
  auto path = dir / "metadata.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                         "BEGIN IMMEDIATE;"
                         "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
                         "CREATE TABLE topics ("
                         "  name TEXT PRIMARY KEY NOT NULL,"
                         "  topic_id BLOB NOT NULL UNIQUE CHECK (length(topic_id) = 16),"
                         "  partition_count INTEGER NOT NULL CHECK (partition_count >= 1),"
                         "  created_at_ms INTEGER NOT NULL);"
                         "CREATE TABLE topic_configs ("
                         "  topic TEXT NOT NULL REFERENCES topics (name) ON DELETE CASCADE,"
                         "  key TEXT NOT NULL,"
                         "  value TEXT NOT NULL,"
                         "  PRIMARY KEY (topic, key));"
                         "INSERT INTO schema_version (version) VALUES (1);"
                         "COMMIT;"
                         "INSERT INTO topics VALUES "
                         "  ('orders', X'000102030405060708090a0b0c0d0e0f', 3, 1700000000000);"
                         "INSERT INTO topic_configs VALUES ('orders', 'retention.ms', '1000')",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = open_store(path);
  ASSERT_TRUE(store);
  auto topic = store->get_topic("orders");
  ASSERT_TRUE(topic) << topic.error().message();
  topic_id id{};
  for (size_t i = 0; i < id.size(); ++i) {
    id[i] = static_cast<uint8_t>(i);
  }
  EXPECT_EQ(topic->id, id);
  EXPECT_EQ(topic->partitions, 3);
  EXPECT_EQ(topic->created_at_ms, 1700000000000);
  EXPECT_EQ(topic->configs, (configs{{"retention.ms", "1000"}}));
  ASSERT_TRUE(store->create_topic("more", make_id(9), 1, {}));
}

TEST(MetadataStore, MissingDirectoryIsAnError) {
  test::temp_dir dir;
  auto store = metadata_store::open(dir / "no" / "such" / "metadata.db");
  ASSERT_FALSE(store);
  EXPECT_FALSE(store.error().message().empty());
}

TEST(MetadataStore, NewerSchemaIsRefused) {
  test::temp_dir dir;
  auto path = dir / "metadata.db";
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
  }
  // Bump the version as a future Brook would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "UPDATE schema_version SET version = 99", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = metadata_store::open(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), sqlite::errc::newer_schema);
}

// A child process creates topics one after another and reports each one as soon as
// create_topic returns; the parent kills it with SIGKILL after some reports. Every
// reported topic must be there when the database is reopened.
TEST(MetadataStore, CreatedTopicSurvivesSigkill) {
  test::temp_dir dir;
  auto path = dir / "metadata.db";
  int next = 0;
  for (int round = 0; round < 5; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto store = metadata_store::open(path);
      if (!store) {
        ::_exit(2);
      }
      for (int i = next;; ++i) {
        topic_id id{};
        id[0] = static_cast<uint8_t>(i);
        id[1] = static_cast<uint8_t>(i >> 8);
        if (!(*store)->create_topic("topic-" + std::to_string(i), id, 1 + i % 3,
                                    {{"retention.ms", std::to_string(i)}})) {
          ::_exit(3);
        }
        uint32_t done = static_cast<uint32_t>(i);
        if (::write(fds[1], &done, sizeof done) != sizeof done) {
          ::_exit(4);
        }
      }
    }
    ::close(fds[1]);
    // Kill after 1, 2, 3, ... acknowledgements, right after reading the last one.
    int want = round + 1;
    int last = -1;
    for (int got = 0; got < want; ++got) {
      uint32_t done = 0;
      ASSERT_EQ(::read(fds[0], &done, sizeof done), static_cast<ssize_t>(sizeof done));
      last = static_cast<int>(done);
    }
    ::kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) << wstatus;
    // The child runs ahead of the reader: reports still in the pipe were acknowledged too.
    for (uint32_t done = 0; ::read(fds[0], &done, sizeof done) == sizeof done;) {
      last = static_cast<int>(done);
    }
    ::close(fds[0]);

    auto store = open_store(path);
    ASSERT_TRUE(store);
    for (int i = 0; i <= last; ++i) {
      auto t = store->get_topic("topic-" + std::to_string(i));
      ASSERT_TRUE(t) << "topic-" << i << " lost in round " << round;
      EXPECT_EQ(t->partitions, 1 + i % 3);
      EXPECT_EQ(t->configs.at("retention.ms"), std::to_string(i));
    }
    // The child may have created one more before the kill landed.
    auto all = store->list_topics();
    ASSERT_TRUE(all);
    next = static_cast<int>(all->size());
    ASSERT_TRUE(next == last + 1 || next == last + 2) << next << " " << last;
  }
}

}  // namespace
}  // namespace brook::storage
