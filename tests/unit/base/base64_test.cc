// Base64 (RFC 4648, standard alphabet): the section 10 test vectors both ways, decoding with
// and without padding, every malformed input refused (bad characters, whitespace, a length of
// 1 mod 4, non-zero trailing bits, '=' anywhere but the end), and all 256 byte values.
#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace brook {
namespace {

// RFC 4648 section 10.
const std::vector<std::pair<std::string, std::string>> rfc_vectors = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, EncodesRfcVectors) {
  for (const auto& [plain, encoded] : rfc_vectors) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
  }
}

TEST(Base64, DecodesRfcVectors) {
  for (const auto& [plain, encoded] : rfc_vectors) {
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain) << encoded;
  }
}

TEST(Base64, DecodesWithoutPadding) {
  for (const auto& [plain, encoded] : rfc_vectors) {
    std::string bare = encoded.substr(0, encoded.find('='));
    auto decoded = base64_decode(bare);
    ASSERT_TRUE(decoded.has_value()) << bare;
    EXPECT_EQ(*decoded, plain) << bare;
  }
}

TEST(Base64, UsesTheStandardAlphabetNotUrlSafe) {
  EXPECT_EQ(base64_encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(base64_decode("+/+/"), std::optional<std::string>("\xfb\xff\xbf"));
  EXPECT_FALSE(base64_decode("-_-_").has_value());
}

TEST(Base64, RefusesCharactersOutsideTheAlphabet) {
  const std::vector<std::string> bad = {
      "Zm9v!",       "Zm9v.Yg==",   "Zm*v", "Zm9\x80", std::string("Zm\0v", 4),
      "Zm9vYg=\xff", "Zm9v\xC3\xA9"};
  for (const auto& text : bad) {
    EXPECT_FALSE(base64_decode(text).has_value()) << text;
  }
}

TEST(Base64, RefusesWhitespace) {
  for (const char* bad : {"Zm9v Yg==", " Zm9v", "Zm9v\n", "Zm9v\r\nYmFy", "Zm\t9v", "Zm9vYg== "}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(Base64, RefusesALengthOfOneModFour) {
  for (const char* bad : {"Z", "Zm9vY", "Zm9vYmFyZ", "=", "Zm9vY===", "Zm9vYmFyZ==="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(Base64, RefusesNonZeroTrailingBits) {
  // "QQ==" is 'A'; in "QR==" the four bits after the byte are 0001. "QUI=" is "AB"; in "QUJ="
  // the two trailing bits are 01.
  EXPECT_EQ(base64_decode("QQ=="), std::optional<std::string>("A"));
  EXPECT_EQ(base64_decode("QQ"), std::optional<std::string>("A"));
  EXPECT_FALSE(base64_decode("QR==").has_value());
  EXPECT_FALSE(base64_decode("QR").has_value());
  EXPECT_FALSE(base64_decode("QX==").has_value());
  EXPECT_EQ(base64_decode("QUI="), std::optional<std::string>("AB"));
  EXPECT_FALSE(base64_decode("QUJ=").has_value());
  EXPECT_FALSE(base64_decode("QUJ").has_value());
}

TEST(Base64, RefusesIncompletePadding) {
  // Padding is either absent or complete: the text is then a multiple of 4 long.
  EXPECT_FALSE(base64_decode("QQ=").has_value());
  EXPECT_FALSE(base64_decode("Zm9vYg=").has_value());
  EXPECT_FALSE(base64_decode("QUI==").has_value());
}

TEST(Base64, RefusesEmbeddedOrExcessPadding) {
  for (const char* bad : {"QQ==QQ==", "Zg==Zg", "Zm=v", "=Zm9",
                          "Q=Q=", "====", "A===", "Zm9v====", "Zm9v=", "==", "Zm9vYg==="}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int b = 0; b < 256; ++b) {
    all.push_back(static_cast<char>(b));
  }
  std::string encoded = base64_encode(all);
  EXPECT_EQ(encoded.size(), (all.size() + 2) / 3 * 4);
  EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(all));
  // Every length modulo 3, from every starting byte, so each byte value sits at each of the
  // three positions of a group.
  for (size_t start = 0; start < 3; ++start) {
    for (size_t len = 0; len + start <= all.size(); len += 7) {
      std::string piece = all.substr(start, len);
      auto back = base64_decode(base64_encode(piece));
      ASSERT_TRUE(back.has_value()) << start << " " << len;
      EXPECT_EQ(*back, piece) << start << " " << len;
    }
  }
  // Single bytes, padded and not.
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    std::string text = base64_encode(one);
    ASSERT_EQ(text.size(), 4u);
    EXPECT_EQ(text.substr(2), "==");
    EXPECT_EQ(base64_decode(text), std::optional<std::string>(one)) << b;
    EXPECT_EQ(base64_decode(text.substr(0, 2)), std::optional<std::string>(one)) << b;
  }
}

TEST(Base64Url, UsesTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(base64url_encode(std::string("\xfb\xff\xbf", 3)), "-_-_");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_decode("-_-_"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
  // RFC 7515 appendix A.1's header.
  EXPECT_EQ(base64url_decode("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"),
            "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
}

TEST(Base64Url, RefusesPaddingTheStandardAlphabetAndBadLengths) {
  EXPECT_EQ(base64url_decode("Zm8="), std::nullopt);
  EXPECT_EQ(base64url_decode("+/+/"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9vY"), std::nullopt);
  EXPECT_EQ(base64url_decode("Zm9"), std::nullopt);  // trailing bits set
}

}  // namespace
}  // namespace brook
