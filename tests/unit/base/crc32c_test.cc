#include "base/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace brook {
namespace {

std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span(s));
}

// Known-answer vectors for CRC-32C (RFC 3720, appendix B.4, and the "123456789" check value).
TEST(Crc32c, CheckValue) {
  EXPECT_EQ(crc32c::value(bytes("123456789")), 0xE3069283u);
}

TEST(Crc32c, ThirtyTwoZeros) {
  EXPECT_EQ(crc32c::value(bytes(std::string(32, '\0'))), 0x8A9136AAu);
}

TEST(Crc32c, ThirtyTwoOnes) {
  EXPECT_EQ(crc32c::value(bytes(std::string(32, '\xff'))), 0x62A8AB43u);
}

TEST(Crc32c, Ascending) {
  std::string s;
  for (int i = 0; i < 32; ++i) {
    s.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(crc32c::value(bytes(s)), 0x46DD794Eu);
}

TEST(Crc32c, Descending) {
  std::string s;
  for (int i = 31; i >= 0; --i) {
    s.push_back(static_cast<char>(i));
  }
  EXPECT_EQ(crc32c::value(bytes(s)), 0x113FDB5Cu);
}

TEST(Crc32c, EmptyIsZero) {
  EXPECT_EQ(crc32c::value({}), 0u);
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string s = "hello, brook: a longer string that crosses several words";
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    auto first = crc32c::value(bytes(s.substr(0, cut)));
    EXPECT_EQ(crc32c::extend(first, bytes(s.substr(cut))), crc32c::value(bytes(s))) << cut;
  }
}

TEST(Crc32c, HardwareAndPortableAgreeOnRandomData) {
  std::mt19937_64 rng(42);
  for (size_t len : {1u, 7u, 8u, 9u, 63u, 64u, 4095u, 65536u, 100003u}) {
    std::string s(len, '\0');
    for (auto& c : s) {
      c = static_cast<char>(rng());
    }
    // Unaligned starts exercise the head loop of the hardware path.
    for (size_t skip = 0; skip < 8 && skip < len; ++skip) {
      auto sub = bytes(s).subspan(skip);
      EXPECT_EQ(crc32c::extend(0, sub), crc32c::extend_portable(0, sub)) << len << "+" << skip;
    }
  }
}

}  // namespace
}  // namespace brook
