#include "storage/data_dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "storage/errc.h"
#include "support/temp_dir.h"

namespace brook::storage {
namespace {

TEST(DataDirLock, CreatesTheDirectoryAndWritesThePid) {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  auto lock = data_dir_lock::acquire(dir);
  ASSERT_TRUE(lock) << lock.error().message();
  EXPECT_TRUE(lock->held());
  EXPECT_TRUE(std::filesystem::is_directory(dir));
  EXPECT_EQ(data_dir_lock::holder(dir), ::getpid());
}

TEST(DataDirLock, SecondLockIsRefusedWhileTheFirstLives) {
  test::temp_dir tmp;
  auto dir = tmp / "data";
  {
    auto first = data_dir_lock::acquire(dir);
    ASSERT_TRUE(first);
    // flock locks belong to the open file, so even this process is refused.
    auto second = data_dir_lock::acquire(dir);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), make_error_code(errc::data_dir_locked));
    // A move keeps the lock held.
    auto moved = std::move(*first);
    EXPECT_FALSE(data_dir_lock::acquire(dir));
  }
  // Released with the last owner; the stale file is reused.
  EXPECT_TRUE(std::filesystem::exists(dir / data_dir_lock::file_name));
  auto again = data_dir_lock::acquire(dir);
  EXPECT_TRUE(again) << again.error().message();
}

TEST(DataDirLock, HolderIgnoresAFileWithoutAPid) {
  test::temp_dir tmp;
  EXPECT_EQ(data_dir_lock::holder(tmp.path()), std::nullopt);  // no file
  std::ofstream(tmp / ".lock") << "not a pid";
  EXPECT_EQ(data_dir_lock::holder(tmp.path()), std::nullopt);
  std::ofstream(tmp / ".lock") << "";
  EXPECT_EQ(data_dir_lock::holder(tmp.path()), std::nullopt);
}

TEST(DataDirLock, LockFileThatCannotBeOpenedIsASystemError) {
  test::temp_dir tmp;
  std::filesystem::create_directories(tmp / "data" / ".lock");
  auto lock = data_dir_lock::acquire(tmp / "data");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error(), std::errc::is_a_directory);
}

TEST(DataDirLock, DirectoryThatCannotBeCreatedIsAnError) {
  test::temp_dir tmp;
  std::ofstream(tmp / "file") << "x";
  auto lock = data_dir_lock::acquire(tmp / "file" / "data");
  EXPECT_FALSE(lock);
}

}  // namespace
}  // namespace brook::storage
