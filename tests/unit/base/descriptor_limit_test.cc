// descriptor_limit: the open-file limit and the count of open descriptors, which the topic
// table checks before it opens a partition per new log.
#include "base/descriptor_limit.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

namespace brook {
namespace {

TEST(DescriptorLimit, TheOpenCountFollowsOpenAndClose) {
  auto before = open_descriptor_count();
  ASSERT_TRUE(before.has_value()) << before.error().message();
  EXPECT_GE(*before, 3u);  // at least stdin, stdout and stderr
  std::vector<int> fds;
  for (int i = 0; i < 5; ++i) {
    fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_GE(fds.back(), 0);
  }
  EXPECT_EQ(*open_descriptor_count(), *before + 5);
  for (int fd : fds) {
    ::close(fd);
  }
  EXPECT_EQ(*open_descriptor_count(), *before);
}

TEST(DescriptorLimit, TheSoftLimitIsAtMostTheHardOne) {
  auto limit = current_descriptor_limit();
  ASSERT_TRUE(limit.has_value());
  EXPECT_LE(limit->soft, limit->hard);
  EXPECT_GE(*open_descriptor_count(), 3u);
  EXPECT_LT(*open_descriptor_count(), limit->soft);
}

}  // namespace
}  // namespace brook
