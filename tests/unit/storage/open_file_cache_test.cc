// open_file_cache: segment files opened on demand, at most `capacity` at once, and never
// closed under a reader that holds one.
#include "storage/open_file_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "storage/flusher.h"
#include "storage/partition_log.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

// How many `.log` files this process holds open (the descriptors in /proc/self/fd).
size_t open_log_descriptors() {
  size_t n = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code link_ec;
    auto target = std::filesystem::read_symlink(it->path(), link_ec);
    n += !link_ec && target.extension() == ".log";
  }
  return n;
}

std::unique_ptr<cached_file> make_file(const std::filesystem::path& path, const std::string& text,
                                       open_file_cache& cache) {
  std::ofstream(path) << text;
  auto f = file::open(path, file::mode::read_write);
  EXPECT_TRUE(f);
  return std::make_unique<cached_file>(path, std::move(f).value(), cache);
}

std::string read_text(const file& f) {
  std::string out(64, '\0');
  auto n = f.read_at(0, std::as_writable_bytes(std::span(out)));
  EXPECT_TRUE(n);
  out.resize(n ? *n : 0);
  return out;
}

TEST(OpenFileCache, PastCapacityTheLeastRecentlyUsedFileIsClosedAndReopenedOnUse) {
  test::temp_dir dir;
  open_file_cache cache(2);
  auto a = make_file(dir / "a.log", "alpha", cache);
  auto b = make_file(dir / "b.log", "beta", cache);
  EXPECT_EQ(cache.open_count(), 2u);
  ASSERT_TRUE(a->get());  // a used since b was opened: b goes first
  auto c = make_file(dir / "c.log", "gamma", cache);
  EXPECT_EQ(cache.open_count(), 2u);
  EXPECT_TRUE(a->is_open());
  EXPECT_FALSE(b->is_open());
  EXPECT_TRUE(c->is_open());
  EXPECT_EQ(cache.reopens(), 0u);

  auto again = b->get();
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(read_text(**again), "beta");
  EXPECT_EQ(cache.reopens(), 1u);
  EXPECT_EQ(cache.open_count(), 2u);
}

TEST(OpenFileCache, AReaderKeepsAnEvictedFileOpenUntilItLetsGo) {
  test::temp_dir dir;
  open_file_cache cache(1);
  auto a = make_file(dir / "a.log", "alpha", cache);
  auto held = a->get();
  ASSERT_TRUE(held);
  auto b = make_file(dir / "b.log", "beta", cache);
  EXPECT_FALSE(a->is_open());
  EXPECT_EQ(open_log_descriptors(), 2u);  // b, and a through the reader
  EXPECT_EQ(read_text(**held), "alpha");
  held->reset();
  EXPECT_EQ(open_log_descriptors(), 1u);
}

// The log cleaner's swap: a pinned file is what get() answers even after the cache closed
// it and another file took its name; an unpinned one would reopen the new file.
TEST(OpenFileCache, APinnedFileIsNeverReopenedByItsName) {
  test::temp_dir dir;
  open_file_cache cache(1);
  auto a = make_file(dir / "a.log", "old", cache);
  auto held = a->get();
  ASSERT_TRUE(held);
  a->pin(*held);
  held->reset();
  auto b = make_file(dir / "b.log", "beta", cache);  // closes a for the cache
  EXPECT_FALSE(a->is_open());
  std::ofstream(dir / "new.log") << "new";
  std::filesystem::rename(dir / "new.log", dir / "a.log");
  auto got = a->get();
  ASSERT_TRUE(got);
  EXPECT_EQ(read_text(**got), "old");
  EXPECT_EQ(cache.reopens(), 0u);
  // Without the pin: the name, and so the new file.
  auto c = make_file(dir / "c.log", "gamma", cache);
  EXPECT_FALSE(b->is_open());
  std::ofstream(dir / "other.log") << "other";
  std::filesystem::rename(dir / "other.log", dir / "b.log");
  auto reopened = b->get();
  ASSERT_TRUE(reopened);
  EXPECT_EQ(read_text(**reopened), "other");
}

TEST(OpenFileCache, LoweringTheCapacityClosesTheExcessAndGoingAwayLeavesTheCache) {
  test::temp_dir dir;
  open_file_cache cache;
  std::vector<std::unique_ptr<cached_file>> files;
  for (int i = 0; i < 10; ++i) {
    files.push_back(make_file(dir / (std::to_string(i) + ".log"), "x", cache));
  }
  EXPECT_EQ(cache.open_count(), 10u);
  EXPECT_EQ(open_log_descriptors(), 10u);
  cache.set_capacity(3);
  EXPECT_EQ(cache.open_count(), 3u);
  EXPECT_EQ(open_log_descriptors(), 3u);
  files.clear();
  EXPECT_EQ(cache.open_count(), 0u);
  EXPECT_EQ(open_log_descriptors(), 0u);
}

// The partition logs use the process's cache: set its capacity for one test.
class ProcessCache : public ::testing::Test {
 protected:
  void SetUp() override { open_file_cache::process().set_capacity(4); }
  void TearDown() override { open_file_cache::process().set_capacity(open_file_cache::unlimited); }
  test::temp_dir dir;
  flusher flush;
};

TEST_F(ProcessCache, ManyPartitionsOfManySegmentsWriteAndReadWithFourFilesOpen) {
  log_config c;
  c.segment_bytes = 1024;
  std::vector<std::shared_ptr<partition_log>> logs;
  std::vector<std::vector<std::string>> sent(12);
  for (int p = 0; p < 12; ++p) {
    auto log = partition_log::open(dir / ("t-" + std::to_string(p)), c, flush);
    ASSERT_TRUE(log) << log.error().message();
    logs.push_back(*log);
  }
  for (int round = 0; round < 20; ++round) {
    for (size_t p = 0; p < logs.size(); ++p) {
      auto b = test::make_batch("p" + std::to_string(p) + "r" + std::to_string(round), 2, 100);
      auto r = logs[p]->append_and_wait(test::bytes_of(b));
      ASSERT_TRUE(r) << r.error().message();
      sent[p].push_back(b);
      EXPECT_LE(open_log_descriptors(), 4u);
    }
  }
  EXPECT_GT(logs[0]->segment_count(), 5u);
  for (size_t p = 0; p < logs.size(); ++p) {
    EXPECT_EQ(test::read_all_batches(*logs[p]), sent[p]);
  }
  EXPECT_LE(open_log_descriptors(), 4u);
  EXPECT_GT(open_file_cache::process().reopens(), 0u);

  // Closed and opened again, still under the cap.
  for (auto& log : logs) {
    ASSERT_TRUE(log->close());
  }
  logs.clear();
  for (int p = 0; p < 12; ++p) {
    auto log = partition_log::open(dir / ("t-" + std::to_string(p)), c, flush);
    ASSERT_TRUE(log) << log.error().message();
    EXPECT_EQ(test::read_all_batches(**log), sent[static_cast<size_t>(p)]);
    logs.push_back(*log);
  }
  EXPECT_LE(open_log_descriptors(), 4u);
}

TEST_F(ProcessCache, ReadersRacingEvictionsAlwaysGetWholeBatches) {
  log_config c;
  c.segment_bytes = 1024;
  auto log = partition_log::open(dir / "t-0", c, flush);
  ASSERT_TRUE(log);
  std::vector<std::string> sent;
  for (int i = 0; i < 60; ++i) {
    auto b = test::make_batch("b" + std::to_string(i), 2, 100);
    ASSERT_TRUE((*log)->append_and_wait(test::bytes_of(b)));
    sent.push_back(b);
  }
  ASSERT_GT((*log)->segment_count(), 10u);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto offset = static_cast<int64_t>(((i * 7 + t * 13) % 60) * 2);
        auto r = (*log)->read(offset, 1);
        if (!r || test::read_range(*r) != sent[static_cast<size_t>(offset / 2)]) {
          ++mismatches;
        }
      }
    });
  }
  for (auto& r : readers) {
    r.join();
  }
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace brook::storage
