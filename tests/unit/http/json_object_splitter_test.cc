// json_object_splitter: concatenated JSON objects cut into their texts however the bytes are
// split between feeds (one byte at a time, every split point), braces and escaped quotes
// inside strings, whitespace between objects, input that is not a sequence of objects
// refused, the size limit, and at_boundary at the end of a stream against the middle of an
// object.
#include "http/rest/json_object_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace brook::http::rest {
namespace {

using texts = std::vector<std::string>;

constexpr size_t large = 1 << 20;

// Objects whose strings hold brackets, quotes and escapes that must not end them early.
const texts tricky = {
    R"({"a":1})",
    R"({"s":"}"})",
    R"({"s":"{{{"})",
    R"({"s":"\"}"})",
    R"({"s":"\\"})",
    R"({"s":"\\\"}{"})",
    R"({"s":"\\\\","t":"}"})",
    R"({"a":[{"b":"]"},[],[[{}]]],"c":{"d":{"e":"\u007d"}}})",
    "{\"s\":\"caf\xC3\xA9 } \xE2\x82\xAC\"}",
    R"({})",
    "{ \"spaced\" :\n[ 1 , 2 ]\t}",
};

std::string concatenated(const texts& objects, std::string_view between = "") {
  std::string out;
  for (const auto& o : objects) {
    out += o;
    out += between;
  }
  return out;
}

TEST(JsonObjectSplitter, OneObjectFedWhole) {
  json_object_splitter s(large);
  texts out;
  ASSERT_TRUE(s.feed(R"({"value":{"type":"JSON","data":{"x":1}}})", out));
  EXPECT_EQ(out, (texts{R"({"value":{"type":"JSON","data":{"x":1}}})"}));
  EXPECT_TRUE(s.at_boundary());
  EXPECT_EQ(s.error(), "");
}

TEST(JsonObjectSplitter, ObjectsBackToBackFedWhole) {
  json_object_splitter s(large);
  texts out;
  ASSERT_TRUE(s.feed(concatenated(tricky), out)) << s.error();
  EXPECT_EQ(out, tricky);
  EXPECT_TRUE(s.at_boundary());
}

TEST(JsonObjectSplitter, ObjectsFedOneByteAtATime) {
  json_object_splitter s(large);
  texts out;
  std::string stream = concatenated(tricky);
  size_t completed = 0;
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(s.feed(stream.substr(i, 1), out)) << i << ": " << s.error();
    if (out.size() > completed) {
      // An object comes out exactly on its closing brace, never later.
      ASSERT_EQ(out.size(), completed + 1);
      EXPECT_EQ(stream[i], '}');
      EXPECT_TRUE(s.at_boundary());
      completed = out.size();
    } else {
      EXPECT_FALSE(s.at_boundary()) << "inside an object at byte " << i;
    }
  }
  EXPECT_EQ(out, tricky);
}

TEST(JsonObjectSplitter, EverySplitPointGivesTheSameObjects) {
  std::string stream = concatenated(tricky, " ");
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    for (size_t cut2 = cut; cut2 <= stream.size(); cut2 += 7) {
      json_object_splitter s(large);
      texts out;
      ASSERT_TRUE(s.feed(stream.substr(0, cut), out));
      ASSERT_TRUE(s.feed(stream.substr(cut, cut2 - cut), out));
      ASSERT_TRUE(s.feed(stream.substr(cut2), out));
      ASSERT_EQ(out, tricky) << "cut at " << cut << " and " << cut2;
      EXPECT_TRUE(s.at_boundary());
    }
  }
}

TEST(JsonObjectSplitter, EmptyFeedsChangeNothing) {
  json_object_splitter s(large);
  texts out;
  EXPECT_TRUE(s.feed("", out));
  EXPECT_TRUE(s.at_boundary());
  EXPECT_TRUE(s.feed("{\"a\":", out));
  EXPECT_TRUE(s.feed("", out));
  EXPECT_FALSE(s.at_boundary());
  EXPECT_TRUE(s.feed("1}", out));
  EXPECT_EQ(out, (texts{R"({"a":1})"}));
}

TEST(JsonObjectSplitter, WhitespaceBetweenObjectsIsDropped) {
  json_object_splitter s(large);
  texts out;
  ASSERT_TRUE(s.feed(" \r\n\t{\"a\" : 1}\n\n{\"b\":\t2}  \r\n", out));
  // Whitespace inside an object is kept; around it, dropped.
  EXPECT_EQ(out, (texts{"{\"a\" : 1}", "{\"b\":\t2}"}));
  EXPECT_TRUE(s.at_boundary());
  // Whitespace alone is an empty stream.
  json_object_splitter blank(large);
  texts none;
  EXPECT_TRUE(blank.feed(" \n\r\t ", none));
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(blank.at_boundary());
}

TEST(JsonObjectSplitter, RefusesTopLevelInputThatIsNotAnObject) {
  const std::vector<std::string_view> bad_streams = {"[1]",
                                                     "1",
                                                     "\"x\"",
                                                     "null",
                                                     "true",
                                                     "}",
                                                     "]",
                                                     ",",
                                                     "x{}",
                                                     "{}[]",
                                                     "{}, {}",
                                                     "{} x",
                                                     "\xEF\xBB\xBF{}",
                                                     std::string_view("\0{}", 3),
                                                     "\f{}",
                                                     "\v{}"};
  for (std::string_view bad : bad_streams) {
    json_object_splitter s(large);
    texts out;
    EXPECT_FALSE(s.feed(bad, out)) << bad;
    EXPECT_NE(s.error(), "") << bad;
  }
}

TEST(JsonObjectSplitter, ObjectsBeforeTheBadByteComeOut) {
  json_object_splitter s(large);
  texts out;
  EXPECT_FALSE(s.feed("{\"a\":1} {\"b\":2} [", out));
  EXPECT_EQ(out, (texts{R"({"a":1})", R"({"b":2})"}));
  EXPECT_NE(s.error(), "");
}

TEST(JsonObjectSplitter, StaysRefusedAfterAnError) {
  json_object_splitter s(large);
  texts out;
  ASSERT_FALSE(s.feed("1", out));
  std::string error = s.error();
  EXPECT_FALSE(s.feed("{\"a\":1}", out));
  EXPECT_FALSE(s.feed("", out));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(s.error(), error);
}

TEST(JsonObjectSplitter, ObjectUpToTheLimitIsTaken) {
  const std::string object = R"({"k":"0123456789"})";  // 18 bytes
  json_object_splitter s(object.size());
  texts out;
  ASSERT_TRUE(s.feed(object + "\n  " + object, out)) << s.error();
  EXPECT_EQ(out, (texts{object, object}));
}

TEST(JsonObjectSplitter, ObjectOverTheLimitIsRefused) {
  const std::string object = R"({"k":"0123456789"})";  // 18 bytes
  {
    json_object_splitter s(object.size() - 1);
    texts out;
    EXPECT_FALSE(s.feed(object, out));
    EXPECT_TRUE(out.empty());
    EXPECT_NE(s.error(), "");
  }
  {
    // Byte by byte: refused at the byte past the limit, before the object ends.
    json_object_splitter s(10);
    texts out;
    size_t refused_at = 0;
    for (size_t i = 0; i < object.size(); ++i) {
      if (!s.feed(object.substr(i, 1), out)) {
        refused_at = i;
        break;
      }
    }
    EXPECT_EQ(refused_at, 10u);
    EXPECT_TRUE(out.empty());
    EXPECT_NE(s.error(), "");
  }
  {
    // The limit is per object: small objects in a long stream are fine, one large one is not.
    json_object_splitter s(8);
    texts out;
    EXPECT_TRUE(s.feed(R"({"a":1}{"b":2}   {"c":3})", out));
    EXPECT_EQ(out.size(), 3u);
    EXPECT_FALSE(s.feed(R"({"d":1234})", out));
    EXPECT_EQ(out.size(), 3u);
  }
}

TEST(JsonObjectSplitter, AtBoundaryOnlyBetweenObjects) {
  json_object_splitter s(large);
  texts out;
  EXPECT_TRUE(s.at_boundary());
  for (std::string_view piece : {"{", "\"a\"", ":", "\"}", "\\\"", "{", "\"", "  "}) {
    ASSERT_TRUE(s.feed(piece, out));
    EXPECT_FALSE(s.at_boundary()) << "after " << piece;
  }
  // The object so far: {"a":"}\"{"   -- the string ends at the last quote.
  ASSERT_TRUE(s.feed("}", out));
  EXPECT_TRUE(s.at_boundary());
  EXPECT_EQ(out, (texts{"{\"a\":\"}\\\"{\"  }"}));
  ASSERT_TRUE(s.feed("\n", out));
  EXPECT_TRUE(s.at_boundary());
  ASSERT_TRUE(s.feed("{\"nested\":{\"x\":[1", out));
  EXPECT_FALSE(s.at_boundary());
  ASSERT_TRUE(s.feed("]}", out));
  EXPECT_FALSE(s.at_boundary());
  ASSERT_TRUE(s.feed("}", out));
  EXPECT_TRUE(s.at_boundary());
  EXPECT_EQ(out.size(), 2u);
}

TEST(JsonObjectSplitter, AStreamEndingInsideAnObjectIsNotAtABoundary) {
  for (std::string_view cut :
       {"{", "{\"value\":", "{\"value\":{\"data\":1}", "{\"s\":\"}", "{\"s\":\"\\\"}\""}) {
    json_object_splitter s(large);
    texts out;
    EXPECT_TRUE(s.feed(cut, out)) << cut;
    EXPECT_TRUE(out.empty()) << cut;
    EXPECT_FALSE(s.at_boundary()) << cut;
  }
}

}  // namespace
}  // namespace brook::http::rest
