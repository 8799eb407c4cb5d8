#include "app/cli/dump_log_command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "support/batches.h"
#include "support/temp_dir.h"

namespace brook::app {
namespace {

class DumpLog : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::log_config c;
    c.index_interval_bytes = 100;
    auto log = storage::partition_log::open(dir / "t-0", c, flush);
    ASSERT_TRUE(log);
    for (int i = 0; i < 20; ++i) {
      auto b = test::make_batch("dump" + std::to_string(i), 2, 80, 1000 + i);
      ASSERT_TRUE((*log)->append_and_wait(test::bytes_of(b)));
    }
    ASSERT_TRUE((*log)->close());
  }
  std::filesystem::path log0() { return storage::names::log_file(dir / "t-0", 0); }
  test::temp_dir dir;
  storage::flusher flush;
};

TEST_F(DumpLog, PrintsEveryBatchAndChecksIndexes) {
  std::ostringstream out;
  EXPECT_EQ(run_dump_log(log0(), {.print_records = true}, out), 0) << out.str();
  auto text = out.str();
  EXPECT_NE(text.find("baseOffset: 0 lastOffset: 1 count: 2"), std::string::npos) << text;
  EXPECT_NE(text.find("baseOffset: 38 lastOffset: 39"), std::string::npos);
  EXPECT_NE(text.find("isvalid: true"), std::string::npos);
  EXPECT_NE(text.find("payload: dump19-1"), std::string::npos);
  EXPECT_NE(text.find("index: "), std::string::npos);
  EXPECT_NE(text.find("20 batches"), std::string::npos);
  EXPECT_EQ(text.find("mismatched"), std::string::npos);
}

TEST_F(DumpLog, ReportsABadCrcAndExitsTwo) {
  test::flip_byte(log0(), 200);
  std::ostringstream out;
  EXPECT_EQ(run_dump_log(log0(), {}, out), 2);
  EXPECT_NE(out.str().find("isvalid: false (record batch CRC-32C mismatch)"), std::string::npos)
      << out.str();
}

TEST_F(DumpLog, ReportsATruncatedTail) {
  test::append_to_file(log0(), std::string(30, '\x05'));
  std::ostringstream out;
  EXPECT_EQ(run_dump_log(log0(), {}, out), 2);
  EXPECT_NE(out.str().find("truncated"), std::string::npos) << out.str();
}

TEST_F(DumpLog, ReportsAnIndexThatDoesNotMatch) {
  test::append_to_file(storage::names::index_file(dir / "t-0", 0), std::string(8, '\x7f'));
  std::ostringstream out;
  EXPECT_EQ(run_dump_log(log0(), {}, out), 2) << out.str();
}

TEST_F(DumpLog, DumpsIndexFiles) {
  std::ostringstream out;
  EXPECT_EQ(run_dump_log(storage::names::index_file(dir / "t-0", 0), {}, out), 0);
  EXPECT_NE(out.str().find("offset: "), std::string::npos) << out.str();
}

TEST_F(DumpLog, RejectsOtherFiles) {
  std::ostringstream out;
  EXPECT_EQ(run_dump_log(dir / "t-0" / "readme.txt", {}, out), 1);
}

}  // namespace
}  // namespace brook::app
