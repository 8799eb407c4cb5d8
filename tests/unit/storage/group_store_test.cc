#include "storage/group_store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <condition_variable>
#include <fstream>
#include <future>
#include <iterator>
#include <latch>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "support/file_contents.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

committed_offset offset_of(std::string topic, int32_t partition, int64_t offset,
                           std::optional<std::string> metadata = std::nullopt,
                           int32_t leader_epoch = -1, int64_t commit_time_ms = 1'700'000'000'000) {
  return {std::move(topic), partition, offset, leader_epoch, std::move(metadata), commit_time_ms};
}

std::unique_ptr<group_store> open_store(const std::filesystem::path& path, bool sync = true) {
  auto store = group_store::open(path, sync);
  EXPECT_TRUE(store) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

std::vector<stored_group> load(const group_store& store) {
  auto groups = store.load();
  EXPECT_TRUE(groups) << groups.error().message();
  return groups ? std::move(groups).value() : std::vector<stored_group>{};
}

// The offsets of `group` as (topic, partition) -> offset; empty if the group is absent.
std::map<std::pair<std::string, int32_t>, int64_t> offsets_of(const group_store& store,
                                                              const std::string& group) {
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (const auto& g : load(store)) {
    if (g.name == group) {
      for (const auto& o : g.offsets) {
        out[{o.topic, o.partition}] = o.offset;
      }
    }
  }
  return out;
}

std::vector<std::string> names(const std::vector<stored_group>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) {
    out.push_back(g.name);
  }
  return out;
}

// Holds the writer thread inside a done callback until opened, so that every write queued
// meanwhile lands in the next transaction, all together.
class writer_gate {
 public:
  writer_gate() : _opened(_open.get_future().share()) {}
  ~writer_gate() { open(); }
  // Queues a write whose done blocks the writer, and returns once the writer is blocked.
  void close(group_store& store) {
    std::promise<void> blocked;
    // The callback holds its own reference to the gate's state: it may still be returning
    // from wait() while the gate is destroyed.
    store.write({.group = "gate", .state = bytes_of("gate")},
                [&blocked, opened = _opened](status st) {
                  EXPECT_TRUE(st);
                  blocked.set_value();
                  opened.wait();
                });
    blocked.get_future().wait();
  }
  void open() {
    if (!_is_open) {
      _is_open = true;
      _open.set_value();
    }
  }

 private:
  std::promise<void> _open;
  std::shared_future<void> _opened;
  bool _is_open = false;
};

// Counts done callbacks and their errors; wait() returns once `n` have run.
class outcomes {
 public:
  explicit outcomes(std::ptrdiff_t n) : _left(n) {}
  group_store::done_fn done() {
    return [this](status st) {
      if (!st) {
        std::lock_guard lock(_mutex);
        _errors.push_back(st.error());
      }
      _left.count_down();
    };
  }
  void wait() { _left.wait(); }
  std::vector<std::error_code> errors() {
    std::lock_guard lock(_mutex);
    return _errors;
  }

 private:
  std::latch _left;
  std::mutex _mutex;
  std::vector<std::error_code> _errors;
};

TEST(GroupStore, CreatesTheFileInWalMode) {
  test::temp_dir dir;
  auto path = dir / std::string(group_store::file_name);
  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_TRUE(std::filesystem::exists(path));
  ASSERT_TRUE(store->write_sync({.group = "g", .commit = {offset_of("t", 0, 1)}}));
  // WAL mode keeps a -wal file beside the database while it is open.
  EXPECT_TRUE(std::filesystem::exists(dir / "groups.db-wal"));
  EXPECT_TRUE(load(*store).size() == 1);
}

TEST(GroupStore, EmptyStoreLoadsNothing) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  EXPECT_TRUE(load(*store).empty());
  EXPECT_EQ(store->transactions(), 0u);
}

TEST(GroupStore, StateAndOffsetsRoundTrip) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  std::string every_byte;
  for (int i = 0; i < 256; ++i) {
    every_byte.push_back(static_cast<char>(i));
  }
  // Large metadata, with NULs and bytes that are not UTF-8.
  std::string large;
  for (int i = 0; i < 1 << 20; ++i) {
    large.push_back(static_cast<char>((i * 131) & 0xff));
  }
  std::vector<committed_offset> consumers_offsets = {
      // Committed out of order: load sorts by (topic, partition).
      offset_of("orders", 10, 500, "meta", 7, 1'700'000'000'123),
      offset_of("orders", 2, 0, std::nullopt, -1, 0),
      offset_of("events", 0, INT64_MAX, std::string(), INT32_MAX, INT64_MAX),
      offset_of("orders", INT32_MAX, -1, large, 0, -5),
  };
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write_sync(
        {.group = "consumers", .state = bytes_of(every_byte), .commit = consumers_offsets}));
    // A group with an empty state blob and no offsets.
    ASSERT_TRUE(store->write_sync({.group = "empty-state", .state = std::vector<std::byte>{}}));
    // A group with offsets and no state blob.
    ASSERT_TRUE(store->write_sync({.group = "", .commit = {offset_of("t", 0, 3, every_byte)}}));
    // Names stored as given.
    ASSERT_TRUE(store->write_sync({.group = "it's; DROP TABLE offsets; --",
                                   .state = bytes_of("x"),
                                   .commit = {offset_of("it's", 1, 2)}}));
  }
  for (bool sync : {true, false}) {
    auto store = open_store(path, sync);  // reopened: everything came from the file
    ASSERT_TRUE(store);
    auto groups = load(*store);
    ASSERT_EQ(names(groups), (std::vector<std::string>{"", "consumers", "empty-state",
                                                       "it's; DROP TABLE offsets; --"}));
    const auto& unnamed = groups[0];
    EXPECT_FALSE(unnamed.state.has_value());
    ASSERT_EQ(unnamed.offsets.size(), 1u);
    EXPECT_EQ(unnamed.offsets[0], offset_of("t", 0, 3, every_byte));

    const auto& consumers = groups[1];
    ASSERT_TRUE(consumers.state.has_value());
    EXPECT_EQ(*consumers.state, bytes_of(every_byte));
    ASSERT_EQ(consumers.offsets.size(), 4u);
    EXPECT_EQ(consumers.offsets[0], consumers_offsets[2]);  // events-0
    EXPECT_EQ(consumers.offsets[1], consumers_offsets[1]);  // orders-2
    EXPECT_EQ(consumers.offsets[2], consumers_offsets[0]);  // orders-10
    EXPECT_EQ(consumers.offsets[3], consumers_offsets[3]);  // orders-2147483647
    // Null and empty metadata are kept apart; the large one is byte for byte.
    EXPECT_FALSE(consumers.offsets[1].metadata.has_value());
    ASSERT_TRUE(consumers.offsets[0].metadata.has_value());
    EXPECT_EQ(*consumers.offsets[0].metadata, "");
    EXPECT_TRUE(consumers.offsets[3].metadata == large);

    const auto& empty = groups[2];
    ASSERT_TRUE(empty.state.has_value());
    EXPECT_TRUE(empty.state->empty());
    EXPECT_TRUE(empty.offsets.empty());

    EXPECT_EQ(*groups[3].state, bytes_of("x"));
    ASSERT_EQ(groups[3].offsets.size(), 1u);
    EXPECT_EQ(groups[3].offsets[0].topic, "it's");
  }
}

TEST(GroupStore, CommitReplacesTheOffsetOfItsPartition) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write_sync(
      {.group = "g", .commit = {offset_of("t", 0, 10, "a", 1), offset_of("t", 1, 20)}}));
  ASSERT_TRUE(
      store->write_sync({.group = "g", .commit = {offset_of("t", 0, 11, std::nullopt, 2)}}));
  // Twice in one commit: the later entry wins.
  ASSERT_TRUE(store->write_sync(
      {.group = "g", .commit = {offset_of("t", 1, 21, "x"), offset_of("t", 1, 22, "y")}}));
  auto groups = load(*store);
  ASSERT_EQ(groups.size(), 1u);
  ASSERT_EQ(groups[0].offsets.size(), 2u);
  EXPECT_EQ(groups[0].offsets[0], offset_of("t", 0, 11, std::nullopt, 2));
  EXPECT_EQ(groups[0].offsets[1], offset_of("t", 1, 22, "y"));
  // A write that only commits leaves the state blob alone (here: none).
  EXPECT_FALSE(groups[0].state.has_value());
  ASSERT_TRUE(store->write_sync({.group = "g", .state = bytes_of("s1")}));
  ASSERT_TRUE(store->write_sync({.group = "g", .commit = {offset_of("t", 0, 12)}}));
  EXPECT_EQ(load(*store)[0].state, bytes_of("s1"));
  ASSERT_TRUE(store->write_sync({.group = "g", .state = bytes_of("s2")}));
  EXPECT_EQ(load(*store)[0].state, bytes_of("s2"));
}

TEST(GroupStore, DeleteGroupRemovesStateAndOffsets) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  for (const char* name : {"a", "b", "c"}) {
    ASSERT_TRUE(store->write_sync({.group = name,
                                   .state = bytes_of(name),
                                   .commit = {offset_of("t", 0, 1), offset_of("u", 3, 4)}}));
  }
  ASSERT_TRUE(store->write_sync({.group = "b", .delete_group = true}));
  // A group with offsets only is deleted whole too; deleting an absent group is no error.
  ASSERT_TRUE(store->write_sync({.group = "d", .commit = {offset_of("t", 0, 9)}}));
  ASSERT_TRUE(store->write_sync({.group = "d", .delete_group = true}));
  ASSERT_TRUE(store->write_sync({.group = "nope", .delete_group = true}));
  auto groups = load(*store);
  ASSERT_EQ(names(groups), (std::vector<std::string>{"a", "c"}));
  for (const auto& g : groups) {
    EXPECT_EQ(g.state, bytes_of(g.name));
    EXPECT_EQ(g.offsets.size(), 2u);
  }
  // The name can be used again, with nothing left from before.
  ASSERT_TRUE(store->write_sync({.group = "b", .commit = {offset_of("v", 0, 1)}}));
  EXPECT_EQ(offsets_of(*store, "b"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"v", 0}, 1}}));
  EXPECT_FALSE(load(*store)[1].state.has_value());
}

TEST(GroupStore, ChangesWithinOneWriteApplyInOrder) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write_sync(
      {.group = "g",
       .state = bytes_of("old"),
       .commit = {offset_of("t", 0, 1), offset_of("t", 1, 1), offset_of("t", 2, 1)}}));
  // 1. delete everything, 2. new state, 3. remove t-2 (already gone) and t-3 (committed
  // below, so it stays), 4. commit t-3 and t-4.
  ASSERT_TRUE(store->write_sync({.group = "g",
                                 .delete_group = true,
                                 .state = bytes_of("new"),
                                 .remove = {{"t", 2}, {"t", 3}},
                                 .commit = {offset_of("t", 3, 30), offset_of("t", 4, 40)}}));
  auto groups = load(*store);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].state, bytes_of("new"));
  EXPECT_EQ(offsets_of(*store, "g"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 3}, 30}, {{"t", 4}, 40}}));
  // Removing offsets: only the ones named, of this group.
  ASSERT_TRUE(store->write_sync({.group = "h", .commit = {offset_of("t", 3, 7)}}));
  ASSERT_TRUE(store->write_sync({.group = "g", .remove = {{"t", 3}, {"t", 99}, {"x", 3}}}));
  EXPECT_EQ(offsets_of(*store, "g"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 4}, 40}}));
  EXPECT_EQ(offsets_of(*store, "h"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 3}, 7}}));
  // A group whose last offset is removed and which has no state is gone.
  ASSERT_TRUE(store->write_sync({.group = "h", .remove = {{"t", 3}}}));
  EXPECT_EQ(names(load(*store)), (std::vector<std::string>{"g"}));
}

TEST(GroupStore, WritesApplyInCallOrder) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  // Queued without waiting: however they are batched, the last call wins.
  constexpr int n = 300;
  outcomes done(n);
  for (int i = 0; i < n; ++i) {
    group_changes c{.group = "g", .commit = {offset_of("t", i % 3, i)}};
    if (i % 50 == 0) {
      c.delete_group = true;
    }
    c.state = bytes_of(std::to_string(i));
    store->write(std::move(c), done.done());
  }
  done.wait();
  EXPECT_TRUE(done.errors().empty());
  auto groups = load(*store);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].state, bytes_of(std::to_string(n - 1)));
  // The last delete was at i = 250: offsets from 250 on only.
  EXPECT_EQ(offsets_of(*store, "g"), (std::map<std::pair<std::string, int32_t>, int64_t>{
                                         {{"t", 0}, 297}, {{"t", 1}, 298}, {{"t", 2}, 299}}));
}

TEST(GroupStore, OneTransactionAppliesItsWritesInCallOrder) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  writer_gate gate;
  gate.close(*store);
  outcomes done(6);
  store->write({.group = "g", .commit = {offset_of("t", 0, 1), offset_of("u", 0, 1)}}, done.done());
  store->write({.group = "g", .delete_group = true}, done.done());
  store->write({.group = "g", .commit = {offset_of("t", 0, 2), offset_of("u", 0, 2)}}, done.done());
  store->remove_topic("t", done.done());
  store->write({.group = "g", .commit = {offset_of("t", 1, 3)}}, done.done());
  store->write({.group = "h", .commit = {offset_of("t", 0, 4)}}, done.done());
  gate.open();
  done.wait();
  EXPECT_TRUE(done.errors().empty());
  EXPECT_EQ(store->transactions(), 2u);  // the gate's, then all six together
  EXPECT_EQ(offsets_of(*store, "g"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 1}, 3}, {{"u", 0}, 2}}));
  EXPECT_EQ(offsets_of(*store, "h"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 0}, 4}}));
}

TEST(GroupStore, RemoveTopicRemovesEveryGroupsOffsetsOfIt) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write_sync(
      {.group = "a",
       .state = bytes_of("a"),
       .commit = {offset_of("gone", 0, 1), offset_of("gone", 1, 2), offset_of("kept", 0, 3)}}));
  ASSERT_TRUE(store->write_sync({.group = "b", .commit = {offset_of("gone", 5, 4)}}));
  ASSERT_TRUE(store->write_sync({.group = "c", .state = bytes_of("c")}));
  // "gone-1" style names and prefixes are other topics.
  ASSERT_TRUE(store->write_sync({.group = "d", .commit = {offset_of("gone2", 0, 5)}}));
  std::promise<status> removed;
  store->remove_topic("gone", [&removed](status st) { removed.set_value(st); });
  ASSERT_TRUE(removed.get_future().get());
  auto groups = load(*store);
  // b had offsets of the topic only: it is gone. States are left alone.
  ASSERT_EQ(names(groups), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(groups[0].state, bytes_of("a"));
  EXPECT_EQ(offsets_of(*store, "a"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"kept", 0}, 3}}));
  EXPECT_EQ(groups[1].state, bytes_of("c"));
  EXPECT_EQ(offsets_of(*store, "d"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"gone2", 0}, 5}}));
  // Removing a topic nobody committed to is no error.
  std::promise<status> again;
  store->remove_topic("never", [&again](status st) { again.set_value(st); });
  EXPECT_TRUE(again.get_future().get());
}

// 8 threads queue 200 writes each while the writer is held: all of them are applied in one
// transaction (one fdatasync), and every done reports success.
TEST(GroupStore, ConcurrentWritesShareOneTransaction) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  constexpr int threads = 8;
  constexpr int per_thread = 200;
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    writer_gate gate;
    gate.close(*store);
    outcomes done(threads * per_thread);
    std::vector<std::thread> writers;
    for (int t = 0; t < threads; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          store->write({.group = "g" + std::to_string(t),
                        .state = bytes_of(std::to_string(i)),
                        .commit = {offset_of("t", i % 10, i, "m" + std::to_string(i))}},
                       done.done());
        }
      });
    }
    for (auto& w : writers) {
      w.join();
    }
    gate.open();
    done.wait();
    EXPECT_TRUE(done.errors().empty());
    EXPECT_EQ(store->transactions(), 2u);  // the gate's, then the 1600 writes
  }
  auto store = open_store(path);
  ASSERT_TRUE(store);
  auto groups = load(*store);
  ASSERT_EQ(groups.size(), static_cast<size_t>(threads) + 1);  // + "gate"
  for (int t = 0; t < threads; ++t) {
    const auto& g = groups[static_cast<size_t>(t)];
    EXPECT_EQ(g.name, "g" + std::to_string(t));
    EXPECT_EQ(g.state, bytes_of(std::to_string(per_thread - 1)));
    ASSERT_EQ(g.offsets.size(), 10u);
    for (int p = 0; p < 10; ++p) {
      EXPECT_EQ(g.offsets[static_cast<size_t>(p)].offset, per_thread - 10 + p);
      EXPECT_EQ(g.offsets[static_cast<size_t>(p)].metadata,
                "m" + std::to_string(per_thread - 10 + p));
    }
  }
}

// The same load without holding the writer: every caller waits for its own write, and
// each transaction holds at least one of them.
TEST(GroupStore, ConcurrentSyncWritersAllSucceed) {
  test::temp_dir dir;
  auto store = open_store(dir / "groups.db");
  ASSERT_TRUE(store);
  constexpr int threads = 8;
  constexpr int per_thread = 50;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!store->write_sync({.group = "g", .commit = {offset_of("t", t, i)}})) {
          ++failures;
        }
      }
    });
  }
  for (auto& w : writers) {
    w.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(store->transactions(), 1u);
  EXPECT_LE(store->transactions(), static_cast<uint64_t>(threads * per_thread));
  auto offsets = offsets_of(*store, "g");
  ASSERT_EQ(offsets.size(), static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    EXPECT_EQ((offsets[{"t", t}]), per_thread - 1);
  }
}

// A change that fails inside a transaction fails the whole transaction: every write in it
// gets the error and none of them is applied. The store goes on working.
TEST(GroupStore, FailedTransactionFailsEveryWriteInIt) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  auto store = open_store(path);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->write_sync(
      {.group = "g", .state = bytes_of("before"), .commit = {offset_of("t", 0, 1)}}));
  // Another connection makes every commit to topic "poison" fail.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER poison BEFORE INSERT ON offsets "
                         "WHEN NEW.topic = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  writer_gate gate;
  gate.close(*store);
  outcomes done(4);
  store->write({.group = "g", .state = bytes_of("after"), .commit = {offset_of("t", 0, 2)}},
               done.done());
  store->write({.group = "h", .commit = {offset_of("poison", 0, 1)}}, done.done());
  store->write({.group = "g", .delete_group = true}, done.done());
  store->remove_topic("t", done.done());
  gate.open();
  done.wait();
  auto errors = done.errors();
  ASSERT_EQ(errors.size(), 4u);
  for (const auto& e : errors) {
    EXPECT_EQ(e, sqlite::errc::database_error) << e.message();
  }
  EXPECT_EQ(store->transactions(), 2u);  // the first write and the gate's
  auto groups = load(*store);
  ASSERT_EQ(names(groups), (std::vector<std::string>{"g", "gate"}));
  EXPECT_EQ(groups[0].state, bytes_of("before"));
  EXPECT_EQ(offsets_of(*store, "g"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 0}, 1}}));

  ASSERT_TRUE(store->write_sync({.group = "g", .commit = {offset_of("t", 0, 3)}}));
  EXPECT_EQ(offsets_of(*store, "g"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 0}, 3}}));
  EXPECT_EQ(store->transactions(), 3u);
}

TEST(GroupStore, PersistsAcrossReopen) {
  for (bool sync : {true, false}) {
    test::temp_dir dir;
    auto path = dir / "groups.db";
    {
      auto store = open_store(path, sync);
      ASSERT_TRUE(store);
      ASSERT_TRUE(store->write_sync({.group = "a",
                                     .state = bytes_of("state-a"),
                                     .commit = {offset_of("t", 0, 5, "m", 3, 42)}}));
      ASSERT_TRUE(store->write_sync({.group = "b", .commit = {offset_of("t", 1, 6)}}));
      ASSERT_TRUE(store->write_sync({.group = "c", .state = bytes_of("state-c")}));
      ASSERT_TRUE(store->write_sync({.group = "c", .delete_group = true}));
    }
    {
      auto store = open_store(path, sync);
      ASSERT_TRUE(store);
      auto groups = load(*store);
      ASSERT_EQ(names(groups), (std::vector<std::string>{"a", "b"}));
      EXPECT_EQ(groups[0].state, bytes_of("state-a"));
      ASSERT_EQ(groups[0].offsets.size(), 1u);
      EXPECT_EQ(groups[0].offsets[0], offset_of("t", 0, 5, "m", 3, 42));
      EXPECT_FALSE(groups[1].state.has_value());
      // Writes go on after a reopen.
      ASSERT_TRUE(store->write_sync({.group = "b", .commit = {offset_of("t", 1, 7)}}));
    }
    auto store = open_store(path, !sync);
    ASSERT_TRUE(store);
    EXPECT_EQ(offsets_of(*store, "b"),
              (std::map<std::pair<std::string, int32_t>, int64_t>{{{"t", 1}, 7}}));
  }
}

// The destructor applies every queued write, including one queued by a done meanwhile,
// and calls every done.
TEST(GroupStore, CloseFinishesQueuedWrites) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  constexpr int n = 500;
  std::atomic<int> succeeded{0};
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    auto* s = store.get();
    s->write({.group = "first"}, [s, &succeeded](status st) {
      succeeded += st ? 1 : 0;
      s->write({.group = "from-done", .commit = {offset_of("t", 0, 1)}},
               [&succeeded](status st2) { succeeded += st2 ? 1 : 0; });
    });
    for (int i = 0; i < n; ++i) {
      s->write({.group = "g", .commit = {offset_of("t", i % 4, i)}},
               [&succeeded](status st) { succeeded += st ? 1 : 0; });
    }
  }
  EXPECT_EQ(succeeded.load(), n + 2);
  auto store = open_store(path);
  ASSERT_TRUE(store);
  EXPECT_EQ(names(load(*store)), (std::vector<std::string>{"from-done", "g"}));
  EXPECT_EQ(offsets_of(*store, "g"),
            (std::map<std::pair<std::string, int32_t>, int64_t>{
                {{"t", 0}, n - 4}, {{"t", 1}, n - 3}, {{"t", 2}, n - 2}, {{"t", 3}, n - 1}}));
}

TEST(GroupStore, NotASqliteFileIsAClearError) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  for (std::string contents : {std::string("hello\n"), std::string(5000, 'x'),
                               std::string("this is not a database, just some bytes that "
                                           "happen to be long enough to fill a header\n")}) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << contents;
    }
    auto store = group_store::open(path, true);
    ASSERT_FALSE(store) << contents.size();
    EXPECT_EQ(store.error(), sqlite::errc::not_a_database) << store.error().message();
    EXPECT_EQ(store.error().message(), "the database file is not a SQLite database or is corrupt");
    EXPECT_EQ(test::file_contents(path), contents);  // left as it was
  }
}

// A SQLite database that is not a groups database, such as metadata.db put in its place or
// some other program's file, is refused and left unchanged.
TEST(GroupStore, SomeOtherDatabaseIsRefused) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  for (const char* sql : {"CREATE TABLE schema_version (version INTEGER NOT NULL);"
                          "INSERT INTO schema_version VALUES (1);"
                          "CREATE TABLE topics (name TEXT PRIMARY KEY)",
                          "CREATE TABLE notes (body TEXT)"}) {
    std::filesystem::remove(path);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto before = test::file_contents(path);
    auto store = group_store::open(path, true);
    ASSERT_FALSE(store) << sql;
    EXPECT_EQ(store.error(), sqlite::errc::foreign_database) << sql;
    // Not a byte of it was changed, and no journal was left beside it.
    EXPECT_TRUE(test::file_contents(path) == before) << sql;
    EXPECT_FALSE(std::filesystem::exists(dir / "groups.db-wal")) << sql;
  }
}

TEST(GroupStore, MissingDirectoryIsAnError) {
  test::temp_dir dir;
  auto store = group_store::open(dir / "no" / "such" / "groups.db", true);
  ASSERT_FALSE(store);
  EXPECT_FALSE(store.error().message().empty());
}

TEST(GroupStore, NewerSchemaIsRefused) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  {
    auto store = open_store(path);
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->write_sync({.group = "g", .commit = {offset_of("t", 0, 1)}}));
  }
  // Bump the version as a future Brook would.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto bump =
      "UPDATE schema_version SET version = " + std::to_string(group_store::schema_version + 1);
  EXPECT_EQ(sqlite3_exec(db, bump.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto before = test::file_contents(path);
  auto store = group_store::open(path, true);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), sqlite::errc::newer_schema);
  EXPECT_TRUE(test::file_contents(path) == before);  // a newer Brook can still open it
  EXPECT_EQ(store.error().message(), "the database was written by a newer version of Brook");
}

// The crash test's writes: write i goes to group g<i % groups> and sets its state to i and
// the offset of partition (i / groups) % partitions of topic "t" to i.
constexpr int crash_groups = 3;
constexpr int crash_partitions = 8;

group_changes crash_write(int64_t i) {
  std::string state = std::to_string(i);
  state.resize(100 + static_cast<size_t>(i % 300), '.');
  return {.group = "g" + std::to_string(i % crash_groups),
          .state = bytes_of(state),
          .commit = {offset_of("t", static_cast<int32_t>((i / crash_groups) % crash_partitions), i,
                               "m" + std::to_string(i), static_cast<int32_t>(i % 5), i)}};
}

// The child: writes crash_write(first), crash_write(first + 1), ... with up to 64 in flight
// and reports each i on `fd` once its done says it is durable. Never returns.
[[noreturn]] void crash_child(const std::filesystem::path& path, bool sync, int64_t first, int fd) {
  auto store = group_store::open(path, sync);
  if (!store) {
    ::_exit(2);
  }
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;
  for (int64_t i = first;; ++i) {
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return in_flight < 64; });
      ++in_flight;
    }
    (*store)->write(crash_write(i), [&, i](status st) {
      if (!st) {
        ::_exit(3);
      }
      if (::write(fd, &i, sizeof i) != static_cast<ssize_t>(sizeof i)) {
        ::_exit(4);
      }
      {
        std::lock_guard lock(mutex);
        --in_flight;
      }
      cv.notify_one();
    });
  }
}

// Reads one acknowledgement; false at the end of the child's output.
bool read_ack(int fd, int64_t& i) {
  size_t got = 0;
  auto* p = reinterpret_cast<char*>(&i);
  while (got < sizeof i) {
    auto n = ::read(fd, p + got, sizeof i - got);
    if (n <= 0) {
      return false;
    }
    got += static_cast<size_t>(n);
  }
  return true;
}

// A child process writes through the store and reports every write whose done said
// success; the parent kills it with SIGKILL after a random number of reports, reopens the
// database and checks that every reported write is there. Writes are atomic and applied in
// order: a group's offsets are never newer than its state. Rounds alternate sync and
// not: both survive a process kill.
TEST(GroupStore, AcknowledgedWritesSurviveSigkill) {
  test::temp_dir dir;
  auto path = dir / "groups.db";
  std::mt19937 rng(std::random_device{}());
  std::map<std::string, int64_t> acked_state;                       // group -> newest acked i
  std::map<std::pair<std::string, int32_t>, int64_t> acked_offset;  // (group, partition) -> i
  size_t acked_total = 0;
  for (int round = 0; round < 10; ++round) {
    bool sync = round % 2 == 0;
    int64_t first = int64_t{round} * 1'000'000;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      crash_child(path, sync, first, fds[1]);
    }
    ::close(fds[1]);
    // Kill after a random number of acknowledgements (0: possibly while it opens).
    int want = std::uniform_int_distribution<int>(0, 300)(rng);
    auto note = [&](int64_t i) {
      auto c = crash_write(i);
      auto& s = acked_state[c.group];
      s = std::max(s, i);
      auto& o = acked_offset[{c.group, c.commit[0].partition}];
      o = std::max(o, i);
      ++acked_total;
    };
    int64_t i = 0;
    for (int got = 0; got < want && read_ack(fds[0], i); ++got) {
      note(i);
    }
    ::kill(pid, SIGKILL);
    // Acknowledgements already in the pipe count too: the child said them.
    while (read_ack(fds[0], i)) {
      note(i);
    }
    ::close(fds[0]);
    int wstatus = 0;
    ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
        << "the writer exited on its own in round " << round << ", status " << wstatus;

    auto store = open_store(path, sync);
    ASSERT_TRUE(store) << "round " << round;
    std::map<std::string, stored_group> found;
    for (auto& g : load(*store)) {
      found[g.name] = std::move(g);
    }
    for (const auto& [group, newest] : acked_state) {
      ASSERT_TRUE(found.contains(group)) << "round " << round << ": " << group << " lost";
      const auto& g = found[group];
      ASSERT_TRUE(g.state.has_value()) << "round " << round;
      std::string state(reinterpret_cast<const char*>(g.state->data()), g.state->size());
      int64_t state_i = std::stoll(state);
      EXPECT_GE(state_i, newest) << "round " << round << ": " << group << "'s state is older";
      for (const auto& o : g.offsets) {
        // Each offset is the one of a whole write, never newer than the group's state.
        EXPECT_LE(o.offset, state_i) << "round " << round << ": " << group;
        EXPECT_EQ(o, crash_write(o.offset).commit[0]) << "round " << round << ": " << group;
      }
    }
    for (const auto& [key, newest] : acked_offset) {
      const auto& offsets = found[key.first].offsets;
      auto it = std::find_if(offsets.begin(), offsets.end(),
                             [&](const committed_offset& o) { return o.partition == key.second; });
      ASSERT_NE(it, offsets.end())
          << "round " << round << ": " << key.first << " partition " << key.second << " lost";
      EXPECT_GE(it->offset, newest) << "round " << round << ": acknowledged offset lost";
    }
  }
  EXPECT_GT(acked_total, 100u);
}

}  // namespace
}  // namespace brook::storage
