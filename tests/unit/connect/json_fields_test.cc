#include "connect/json_fields.h"

#include <gtest/gtest.h>

namespace brook::connect {
namespace {

TEST(JsonFields, ReadsNestedFieldsByDottedPath) {
  json_fields f;
  ASSERT_TRUE(f.load(R"({"user":{"id":42,"name":"Ann"},"tags":["a","b"],"ok":true,"x":null})"));
  EXPECT_TRUE(f.is_object());
  EXPECT_EQ(f.text("user.id"), "42");
  EXPECT_EQ(f.text("user.name"), "Ann");
  EXPECT_EQ(f.text("tags.1"), "b");
  EXPECT_EQ(f.text("tags"), R"(["a","b"])");
  EXPECT_EQ(f.text("user"), R"({"id":42,"name":"Ann"})");
  EXPECT_EQ(f.text("ok"), "true");
  EXPECT_EQ(f.text("x"), std::nullopt);
  EXPECT_EQ(f.text("missing"), std::nullopt);
  EXPECT_EQ(f.text("user.id.deeper"), std::nullopt);
}

TEST(JsonFields, StringsComeUnescaped) {
  json_fields f;
  ASSERT_TRUE(f.load(R"({"q":"say \"hi\"\n","u":"\u00e9t\u00e9"})"));
  EXPECT_EQ(f.text("q"), "say \"hi\"\n");
  EXPECT_EQ(f.text("u"), "été");
}

TEST(JsonFields, KeysWithSlashesAndTildesAreFound) {
  json_fields f;
  ASSERT_TRUE(f.load(R"({"a/b":1,"c~d":2})"));
  EXPECT_EQ(f.text("a/b"), "1");
  EXPECT_EQ(f.text("c~d"), "2");
  EXPECT_EQ(json_fields::pointer("a/b.c~d"), "/a~1b/c~0d");
}

TEST(JsonFields, CompactsAWholeDocument) {
  json_fields f;
  ASSERT_TRUE(f.load("{\n  \"a\" : [1, 2],\n  \"b\": \"x y\"\n}\n"));
  EXPECT_EQ(f.compact(), R"({"a":[1,2],"b":"x y"})");
}

TEST(JsonFields, CompactAppends) {
  json_fields f;
  ASSERT_TRUE(f.load("[ \"a \\\" , b\", 1 ,\t-2, {\"k\" :\r\n null} ]"));
  std::string out = "x";
  f.append_compact(out);
  EXPECT_EQ(out, R"(x["a \" , b",1,-2,{"k":null}])");
  EXPECT_EQ(out, "x" + f.compact());
}

TEST(JsonFields, RefusesWhatIsNotJson) {
  json_fields f;
  EXPECT_FALSE(f.load("not json"));
  EXPECT_FALSE(f.why().empty());
  EXPECT_FALSE(f.load("{\"a\":1"));
  EXPECT_FALSE(f.load(""));
  ASSERT_TRUE(f.load("[1,2]"));
  EXPECT_FALSE(f.is_object());
}

}  // namespace
}  // namespace brook::connect
