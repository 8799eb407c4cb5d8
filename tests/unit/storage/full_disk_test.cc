// Running out of space: the file-size limit (RLIMIT_FSIZE) makes writes past a size fail as
// a full disk would. The append fails with a clear error, nothing already acknowledged is
// harmed, and the log takes appends again once space is back.
#include <signal.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include "storage/flusher.h"
#include "storage/partition_log.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

class file_size_limit {
 public:
  explicit file_size_limit(rlim_t bytes) {
    ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &_saved);
    rlimit lim = _saved;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~file_size_limit() { ::setrlimit(RLIMIT_FSIZE, &_saved); }

 private:
  rlimit _saved{};
};

TEST(FullDisk, AppendFailsClearlyAndNothingIsLost) {
  test::temp_dir dir;
  flusher flush;
  auto opened = partition_log::open(dir / "full-0", log_config{}, flush);
  ASSERT_TRUE(opened);
  auto log = *opened;
  std::vector<std::string> acked;
  for (int i = 0; i < 5; ++i) {
    auto b = test::make_batch("before" + std::to_string(i), 4, 500);
    ASSERT_TRUE(log->append_and_wait(test::bytes_of(b)));
    acked.push_back(b);
  }
  uint64_t size_before = log->size_bytes();
  std::error_code failure;
  {
    file_size_limit limit(size_before + 3000);  // room for one more batch, not two
    for (int i = 0; i < 10 && !failure; ++i) {
      auto b = test::make_batch("during" + std::to_string(i), 4, 500);
      auto r = log->append_and_wait(test::bytes_of(b));
      if (r) {
        acked.push_back(b);
      } else {
        failure = r.error();
      }
    }
  }
  ASSERT_TRUE(failure) << "the file-size limit never made an append fail";
  EXPECT_EQ(failure, std::errc::file_too_large);
  EXPECT_FALSE(failure.message().empty());
  // The failed append left no partial bytes and no offsets behind.
  auto batches = test::read_all_batches(*log);
  EXPECT_EQ(batches, acked);
  EXPECT_EQ(log->size_bytes(), test::file_size(dir / "full-0" / "00000000000000000000.log"));

  // Space is back: appends continue with the next offset.
  auto after = test::make_batch("after", 4, 500);
  auto r = log->append_and_wait(test::bytes_of(after));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->base_offset, static_cast<int64_t>(acked.size()) * 4);
  acked.push_back(after);
  ASSERT_TRUE(log->close());

  auto again = partition_log::open(dir / "full-0", log_config{}, flush);
  ASSERT_TRUE(again);
  EXPECT_EQ(test::read_all_batches(**again), acked);
}

}  // namespace
}  // namespace brook::storage
