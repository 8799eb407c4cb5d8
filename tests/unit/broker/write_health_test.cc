// write_health: disk conditions mark the data directory failing (once, with the reason); a
// success or a probe that writes marks it healthy; other errors do not count.
#include "broker/service/write_health.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "support/temp_dir.h"

namespace brook::broker {
namespace {

std::error_code sys(int e) {
  return {e, std::system_category()};
}

TEST(WriteHealth, DiskConditionsFailAndASuccessRecovers) {
  test::temp_dir dir;
  write_health h(dir.path(), 4096);
  EXPECT_FALSE(h.problem().has_value());
  h.failed(sys(EINVAL));  // a bad request, not the disk
  EXPECT_FALSE(h.problem().has_value());
  h.failed(sys(ENOSPC));
  ASSERT_TRUE(h.problem().has_value());
  EXPECT_NE(h.problem()->find("No space left on device"), std::string::npos) << *h.problem();
  EXPECT_NE(h.problem()->find(dir.path().string()), std::string::npos);
  h.failed(sys(EIO));  // the latest reason is the one told
  EXPECT_NE(h.problem()->find("Input/output error"), std::string::npos) << *h.problem();
  h.succeeded();
  EXPECT_FALSE(h.problem().has_value());
}

TEST(WriteHealth, AProbeThatWritesRecoversAndLeavesNoFile) {
  test::temp_dir dir;
  write_health h(dir.path(), 200 * 1024);
  h.probe();  // healthy: nothing to do
  h.failed(sys(EDQUOT));
  ASSERT_TRUE(h.problem().has_value());
  h.probe();
  EXPECT_FALSE(h.problem().has_value());
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(WriteHealth, AProbeThatCannotWriteKeepsItFailing) {
  test::temp_dir dir;
  write_health h(dir.path() / "gone", 4096);  // a directory that does not exist
  h.failed(sys(EROFS));
  h.probe();
  EXPECT_TRUE(h.problem().has_value());
}

}  // namespace
}  // namespace brook::broker
