#include "base/file.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace brook {
namespace {

TEST(File, WriteReadTruncate) {
  test::temp_dir dir;
  auto f = file::open(dir / "a", file::mode::create_read_write);
  ASSERT_TRUE(f);
  std::string data = "0123456789";
  ASSERT_TRUE(f->write_at(0, std::as_bytes(std::span(data))));
  ASSERT_TRUE(f->datasync());
  EXPECT_EQ(*f->size(), 10u);
  std::string back(4, '\0');
  auto n = f->read_at(3, std::as_writable_bytes(std::span(back)));
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(back, "3456");
  auto past = f->read_at(8, std::as_writable_bytes(std::span(back)));
  EXPECT_EQ(*past, 2u);  // short read at end of file
  ASSERT_TRUE(f->truncate(5));
  EXPECT_EQ(*f->size(), 5u);
}

TEST(File, OpenMissingIsAnError) {
  test::temp_dir dir;
  auto f = file::open(dir / "missing", file::mode::read_only);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error(), std::errc::no_such_file_or_directory);
}

TEST(File, WriteFileAtomicallyReplaces) {
  test::temp_dir dir;
  ASSERT_TRUE(write_file_atomically(dir / "x", "first\n"));
  ASSERT_TRUE(write_file_atomically(dir / "x", "second\n"));
  std::ifstream in(dir / "x");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "second");
  EXPECT_FALSE(std::filesystem::exists(dir / "x.tmp"));
}

TEST(File, OwnerOnlyWritesAreNewFilesOfMode0600AndFollowNoLink) {
  test::temp_dir dir;
  // A leftover temporary file (readable by all) and a link planted where the next one goes:
  // neither receives the secret.
  std::ofstream(dir / "elsewhere") << "untouched";
  std::filesystem::create_symlink(dir / "elsewhere", dir / "secret.tmp");
  ASSERT_TRUE(write_file_atomically(dir / "secret", "key bytes", /*owner_only=*/true));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string text;
  std::getline(std::ifstream(dir / "elsewhere"), text);
  EXPECT_EQ(text, "untouched");
  std::getline(std::ifstream(dir / "secret"), text);
  EXPECT_EQ(text, "key bytes");
  // Replaced again: still 0600, still atomic.
  ASSERT_TRUE(write_file_atomically(dir / "secret", "new key", true));
  ASSERT_EQ(::stat((dir / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  // The mode itself: an existing file is refused.
  EXPECT_FALSE(file::open(dir / "secret", file::mode::create_owner_only));
}

}  // namespace
}  // namespace brook
