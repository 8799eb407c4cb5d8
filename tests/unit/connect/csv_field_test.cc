#include "connect/csv_field.h"

#include <gtest/gtest.h>

namespace brook::connect {
namespace {

std::string field(std::string_view f) {
  std::string line;
  append_csv_field(line, f);
  return line;
}

TEST(CsvField, PlainTextIsWrittenAsItIs) {
  EXPECT_EQ(field("signup"), "signup");
  EXPECT_EQ(field(""), "");
  EXPECT_EQ(field("Zürich 東京"), "Zürich 東京");
}

TEST(CsvField, CommasQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(field("a,b"), "\"a,b\"");
  EXPECT_EQ(field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(field("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(field("\""), "\"\"\"\"");
}

TEST(CsvField, EdgeSpacesAreQuotedSoReadersKeepThem) {
  EXPECT_EQ(field(" padded "), "\" padded \"");
  EXPECT_EQ(field("in side"), "in side");
}

}  // namespace
}  // namespace brook::connect
