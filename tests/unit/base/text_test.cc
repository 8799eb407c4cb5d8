#include "base/text.h"

#include <gtest/gtest.h>

namespace brook {
namespace {

TEST(Text, TrimDropsSpacesAndControlCharactersAtBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(std::string_view("\0x\x01", 3)), "x");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
}

TEST(Text, LowerAndIequalsTouchOnlyAscii) {
  EXPECT_EQ(lower("GZip-Ä"), "gzip-Ä");
  EXPECT_TRUE(iequals("Content-Encoding", "content-encoding"));
  EXPECT_FALSE(iequals("gzip", "gzip "));
  EXPECT_FALSE(iequals("Ä", "ä"));
}

TEST(Text, ListsAreTrimmedWithoutEmptyElements) {
  EXPECT_EQ(split_list(" a, b ,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list(" , ").empty());
  EXPECT_EQ(join_list({"a", "b", "c"}), "a,b,c");
  EXPECT_EQ(join_list({}), "");
  EXPECT_EQ(join_list(split_list("x,y")), "x,y");
}

}  // namespace
}  // namespace brook
