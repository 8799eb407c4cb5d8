#include "base/varint.h"

#include <gtest/gtest.h>

#include <limits>

namespace brook {
namespace {

TEST(Varint, RoundTripsEdgeValues) {
  for (int64_t v :
       {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{64}, int64_t{300},
        std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    std::string s;
    varint::append(s, v);
    EXPECT_EQ(s.size(), varint::size(v));
    auto in = std::as_bytes(std::span(s));
    auto back = varint::read(in);
    ASSERT_TRUE(back) << v;
    EXPECT_EQ(*back, v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(Varint, ZigZagEncoding) {
  std::string s;
  varint::append(s, -1);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(static_cast<unsigned char>(s[0]), 1);
  s.clear();
  varint::append(s, 1);
  EXPECT_EQ(static_cast<unsigned char>(s[0]), 2);
}

TEST(Varint, TruncatedInputFails) {
  std::string s = "\x80\x80";
  auto in = std::as_bytes(std::span(s));
  EXPECT_FALSE(varint::read(in));
}

TEST(Varint, OverlongInputFails) {
  std::string s(11, '\x80');
  auto in = std::as_bytes(std::span(s));
  EXPECT_FALSE(varint::read(in));
}

}  // namespace
}  // namespace brook
