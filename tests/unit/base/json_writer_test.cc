// json_writer: commas and nesting, every value type, the escaping of quotes, backslashes and
// control characters, valid UTF-8 kept byte for byte and invalid UTF-8 replaced by U+FFFD;
// whatever bytes go in, the output parses as JSON (simdjson, which also validates UTF-8).
#include "base/json_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <random>
#include <string>
#include <string_view>

namespace brook {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// `s` written as a JSON string value.
std::string json_string(std::string_view s) {
  std::string out;
  json_writer::append_string(out, s);
  return out;
}

// Parses `json` as a document; the error when it is not one.
simdjson::error_code parse_error(const std::string& json) {
  static simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  return parser.parse(padded).error();
}

// The string a JSON string literal stands for, as a parser reads it.
std::string parsed_string(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  std::string_view s;
  auto error = parser.parse(padded).get(s);
  EXPECT_EQ(error, simdjson::SUCCESS) << json;
  return std::string(s);
}

// `s` with each run of U+FFFD made one: how many replacements an invalid sequence becomes
// (one per byte or one per maximal subpart) is the writer's choice.
std::string one_replacement_per_run(std::string s) {
  std::string twice = std::string(replacement) + std::string(replacement);
  for (size_t at; (at = s.find(twice)) != std::string::npos;) {
    s.erase(at, replacement.size());
  }
  return s;
}

TEST(JsonWriter, EmptyContainers) {
  EXPECT_EQ(json_writer().begin_object().end_object().str(), "{}");
  EXPECT_EQ(json_writer().begin_array().end_array().str(), "[]");
  EXPECT_EQ(json_writer()
                .begin_array()
                .begin_array()
                .end_array()
                .begin_object()
                .end_object()
                .end_array()
                .str(),
            "[[],{}]");
}

TEST(JsonWriter, CommasBetweenMembersAndElementsOnly) {
  json_writer w;
  w.begin_object();
  w.key("a").begin_array();
  w.value(int64_t{1}).begin_object().key("b").begin_array().end_array().end_object().value("x");
  w.end_array();
  w.key("c").begin_object().end_object();
  w.key("d").begin_object().key("e").null().key("f").value(true).end_object();
  w.key("g").value(false);
  w.end_object();
  EXPECT_EQ(w.str(), R"({"a":[1,{"b":[]},"x"],"c":{},"d":{"e":null,"f":true},"g":false})");
  EXPECT_EQ(parse_error(w.str()), simdjson::SUCCESS);
}

TEST(JsonWriter, DeepNesting) {
  json_writer w;
  for (int i = 0; i < 50; ++i) {
    w.begin_array().value(int64_t{i});
    w.begin_object().key("k").value(int64_t{i}).end_object();
  }
  for (int i = 0; i < 50; ++i) {
    w.end_array();
  }
  EXPECT_EQ(w.str().substr(0, 24), R"([0,{"k":0},[1,{"k":1},[2)");
  EXPECT_EQ(w.str().substr(w.str().size() - 3), "]]]");
  EXPECT_EQ(parse_error(w.str()), simdjson::SUCCESS);
}

TEST(JsonWriter, Numbers) {
  json_writer w;
  w.begin_array();
  w.value(int64_t{0}).value(int32_t{-7}).value(std::numeric_limits<int64_t>::min());
  w.value(std::numeric_limits<int64_t>::max()).value(std::numeric_limits<uint64_t>::max());
  w.value(std::numeric_limits<int32_t>::min());
  w.end_array();
  EXPECT_EQ(w.str(),
            "[0,-7,-9223372036854775808,9223372036854775807,18446744073709551615,-2147483648]");
  EXPECT_EQ(parse_error(w.str()), simdjson::SUCCESS);
}

TEST(JsonWriter, StringOverloadsAndRaw) {
  std::string s = "str";
  json_writer w;
  w.begin_array().value("c").value(s).value(std::string_view("sv")).raw(R"({"x":[1,2]})");
  w.raw("3").end_array();
  EXPECT_EQ(w.str(), R"(["c","str","sv",{"x":[1,2]},3])");
  json_writer o;
  o.begin_object().key("a").raw("[]").key("b").raw("null").end_object();
  EXPECT_EQ(o.str(), R"({"a":[],"b":null})");
}

TEST(JsonWriter, TakeMovesTheText) {
  json_writer w;
  w.begin_object().key("k").value("v").end_object();
  EXPECT_EQ(w.take(), R"({"k":"v"})");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(json_string("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(json_string("C:\\dir\\"), R"("C:\\dir\\")");
  EXPECT_EQ(json_string("a\nb\rc\td"), R"("a\nb\rc\td")");
  EXPECT_EQ(json_string("\x1f"), R"("\u001f")");
  EXPECT_EQ(json_string("\x01\x08\x0b\x0c\x10\x1e"), R"("\u0001\u0008\u000b\u000c\u0010\u001e")");
  EXPECT_EQ(json_string(std::string_view("a\0b", 3)), R"("a\u0000b")");
  // Not escaped: '/', DEL, and the printable rest.
  EXPECT_EQ(json_string("/\x7f ~'"), "\"/\x7f ~'\"");
  EXPECT_EQ(json_string(""), R"("")");
}

TEST(JsonWriter, KeysAreEscapedToo) {
  json_writer w;
  w.begin_object().key("a\"b\\c\x02").value("\"").end_object();
  EXPECT_EQ(w.str(), R"({"a\"b\\c\u0002":"\""})");
  EXPECT_EQ(parse_error(w.str()), simdjson::SUCCESS);
}

TEST(JsonWriter, EveryAsciiByteRoundTrips) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) {
    all.push_back(static_cast<char>(c));
  }
  EXPECT_EQ(parsed_string(json_string(all)), all);
}

TEST(JsonWriter, KeepsValidMultiByteUtf8) {
  for (std::string_view s : {
           "\xC2\x80",          // U+0080, the first two-byte character
           "\xC3\xA9",          // é
           "\xDF\xBF",          // U+07FF
           "\xE0\xA0\x80",      // U+0800, the first three-byte character
           "\xE2\x82\xAC",      // €
           "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
           "\xEE\x80\x80",      // U+E000, just above them
           "\xEF\xBF\xBD",      // U+FFFD itself
           "\xEF\xBF\xBF",      // U+FFFF
           "\xF0\x90\x80\x80",  // U+10000, the first four-byte character
           "\xF0\x9D\x84\x9E",  // 𝄞
           "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last
           "caf\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x98\x80!",
       }) {
    std::string json = json_string(s);
    EXPECT_EQ(json, "\"" + std::string(s) + "\"");
    EXPECT_EQ(parsed_string(json), s);
  }
}

TEST(JsonWriter, ReplacesInvalidUtf8WithReplacementCharacters) {
  struct example {
    std::string_view in;
    std::string_view want;  // with one U+FFFD per run of them
    const char* what;
  };
  const std::string r(replacement);
  for (const auto& e : std::initializer_list<example>{
           {"a\x80z", "a\xEF\xBF\xBDz", "a lone continuation byte"},
           {"\xBF", "\xEF\xBF\xBD", "a lone continuation byte alone"},
           {"a\xC0\x80z", "a\xEF\xBF\xBDz", "overlong NUL C0 80"},
           {"\xC1\xBF", "\xEF\xBF\xBD", "overlong C1 BF"},
           {"\xE0\x80\x80", "\xEF\xBF\xBD", "overlong three-byte E0 80 80"},
           {"\xF0\x80\x80\x80", "\xEF\xBF\xBD", "overlong four-byte F0 80 80 80"},
           {"a\xED\xA0\x80z", "a\xEF\xBF\xBDz", "surrogate U+D800 (ED A0 80)"},
           {"\xED\xBF\xBF", "\xEF\xBF\xBD", "surrogate U+DFFF (ED BF BF)"},
           {"\xED\xA0\xBD\xED\xB8\x80", "\xEF\xBF\xBD", "a CESU-8 surrogate pair"},
           {"\xF4\x90\x80\x80", "\xEF\xBF\xBD", "above U+10FFFF"},
           {"\xF5\x80\x80\x80", "\xEF\xBF\xBD", "lead byte F5"},
           {"\xFE\xFF", "\xEF\xBF\xBD", "bytes FE FF"},
           {"a\xC3", "a\xEF\xBF\xBD", "a two-byte sequence cut at the end"},
           {"a\xE2\x82", "a\xEF\xBF\xBD", "a three-byte sequence cut at the end"},
           {"a\xF0\x9D\x84", "a\xEF\xBF\xBD", "a four-byte sequence cut at the end"},
           {"\xE2\x82z\xC3\xA9", "\xEF\xBF\xBDz\xC3\xA9", "a cut sequence followed by text"},
           {"\xC3\"", "\xEF\xBF\xBD\\\"", "a lead byte followed by a quote"},
           {"\xE2\\", "\xEF\xBF\xBD\\\\", "a lead byte followed by a backslash"},
           {"\xC3\xA9\x80\xC3\xA9", "\xC3\xA9\xEF\xBF\xBD\xC3\xA9", "a stray byte between"},
       }) {
    std::string json = json_string(e.in);
    EXPECT_EQ(one_replacement_per_run(json), "\"" + std::string(e.want) + "\"") << e.what;
    EXPECT_EQ(parse_error(json), simdjson::SUCCESS) << e.what;
    EXPECT_NE(json.find(r), std::string::npos) << e.what;
  }
}

TEST(JsonWriter, AnyBytesGiveValidJson) {
  // Every single byte, every pair of bytes, then random strings weighted to bytes >= 0x80 and
  // the escaped characters, as both a key and a value.
  auto check = [](const std::string& s) {
    json_writer w;
    w.begin_object().key(s).value(s).end_object();
    ASSERT_EQ(parse_error(w.str()), simdjson::SUCCESS) << w.str();
  };
  for (int a = 0; a < 256; ++a) {
    check(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      check(std::string{static_cast<char>(a), static_cast<char>(b)});
    }
  }
  std::mt19937 random(20240501);
  const std::string_view specials = "\"\\\x01\x1f\n{}[]";
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    size_t length = random() % 12;
    for (size_t k = 0; k < length; ++k) {
      uint32_t pick = random() % 4;
      if (pick == 0) {
        s.push_back(specials[random() % specials.size()]);
      } else if (pick == 1) {
        s.push_back(static_cast<char>(0x20 + random() % 0x60));
      } else {
        s.push_back(static_cast<char>(0x80 + random() % 0x80));
      }
    }
    check(s);
  }
}

TEST(JsonWriter, ValidUtf8RoundTripsThroughAParser) {
  // Every code point's UTF-8 (surrogates excluded), a few hundred per string.
  std::string text;
  auto append = [&](uint32_t cp) {
    if (cp < 0x80) {
      text.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      text.push_back(static_cast<char>(0xC0 | cp >> 6));
      text.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      text.push_back(static_cast<char>(0xE0 | cp >> 12));
      text.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      text.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      text.push_back(static_cast<char>(0xF0 | cp >> 18));
      text.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      text.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      text.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  };
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      continue;
    }
    append(cp);
    if (text.size() > 1000 || cp == 0x10FFFF) {
      std::string json = json_string(text);
      ASSERT_EQ(json.find(replacement) == std::string::npos,
                text.find(replacement) == std::string::npos)
          << "U+" << std::hex << cp;
      ASSERT_EQ(parsed_string(json), text) << "up to U+" << std::hex << cp;
      text.clear();
    }
  }
}

}  // namespace
}  // namespace brook
