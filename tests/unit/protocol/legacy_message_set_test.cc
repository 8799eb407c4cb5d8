// Message sets of magic 0 and 1 up-converted to one v2 batch: each part of the old format,
// and hostile input (bad CRCs, sizes, nesting, timestamps, random bytes) refused cleanly.
#include "protocol/legacy_message_set.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "base/big_endian.h"

namespace brook::protocol {
namespace {

std::string be32(int32_t v) {
  std::string s(4, '\0');
  be::store<int32_t>(reinterpret_cast<std::byte*>(s.data()), v);
  return s;
}

std::string be64(int64_t v) {
  std::string s(8, '\0');
  be::store<int64_t>(reinterpret_cast<std::byte*>(s.data()), v);
  return s;
}

std::string bytes_field(const std::optional<std::string>& b) {
  return b ? be32(static_cast<int32_t>(b->size())) + *b : be32(-1);
}

std::string message(int8_t magic, const std::optional<std::string>& key,
                    const std::optional<std::string>& value, int64_t timestamp = 1000,
                    int8_t attributes = 0) {
  std::string body;
  body += static_cast<char>(magic);
  body += static_cast<char>(attributes);
  if (magic == 1) {
    body += be64(timestamp);
  }
  body += bytes_field(key) + bytes_field(value);
  auto crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  return be32(static_cast<int32_t>(crc)) + body;
}

std::string message_set(const std::vector<std::string>& messages) {
  std::string out;
  int64_t offset = 0;
  for (const auto& m : messages) {
    out += be64(offset++) + be32(static_cast<int32_t>(m.size())) + m;
  }
  return out;
}

std::string gzip(const std::string& data) {
  auto out = compress(compression::gzip, std::as_bytes(std::span(data)));
  EXPECT_TRUE(out);
  return {reinterpret_cast<const char*>(out->data()), out->size()};
}

struct converted {
  batch_header header;
  std::vector<record> records;
};

converted convert_ok(const std::string& set) {
  std::string why;
  auto v2 = upconvert_message_set(std::as_bytes(std::span(set)), why);
  EXPECT_TRUE(v2) << why;
  if (!v2) {
    return {};
  }
  auto bytes = std::as_bytes(std::span(*v2));
  auto h = validate_batch(bytes, v2->size());
  EXPECT_TRUE(h);
  auto records = decode_records(bytes);
  EXPECT_TRUE(records);
  return {*h, *records};
}

std::string refused(const std::string& set) {
  std::string why;
  auto v2 = upconvert_message_set(std::as_bytes(std::span(set)), why);
  EXPECT_FALSE(v2);
  EXPECT_FALSE(why.empty());
  return why;
}

TEST(LegacyMessageSet, MagicOfReadsTheSameByteForBothFormats) {
  auto set = message_set({message(1, "k", "v")});
  EXPECT_EQ(magic_of(std::as_bytes(std::span(set))), 1);
  EXPECT_EQ(magic_of(std::as_bytes(std::span(set).first(16))), -1);
}

TEST(LegacyMessageSet, MagicOneKeepsKeysValuesNullsAndTimestamps) {
  auto c = convert_ok(message_set({message(1, "a", "1", 5000), message(1, std::nullopt, "2", 4000),
                                   message(1, "c", std::nullopt, 7000)}));
  EXPECT_EQ(c.header.records_count, 3);
  EXPECT_EQ(c.header.base_offset, 0);
  EXPECT_EQ(c.header.last_offset_delta, 2);
  EXPECT_EQ(c.header.producer_id, -1);
  EXPECT_EQ(c.header.codec(), compression::none);
  EXPECT_EQ(c.header.base_timestamp, 5000);
  EXPECT_EQ(c.header.max_timestamp, 7000);
  ASSERT_EQ(c.records.size(), 3u);
  EXPECT_EQ(c.records[0].key, "a");
  EXPECT_EQ(c.records[0].value, "1");
  EXPECT_TRUE(c.records[1].null_key);
  EXPECT_EQ(c.records[1].timestamp_delta, -1000);
  EXPECT_TRUE(c.records[2].null_value);
  EXPECT_EQ(c.records[2].timestamp_delta, 2000);
}

TEST(LegacyMessageSet, MagicZeroHasNoTimestamps) {
  auto c = convert_ok(message_set({message(0, "a", "1"), message(0, "b", "2")}));
  EXPECT_EQ(c.header.base_timestamp, -1);
  EXPECT_EQ(c.header.max_timestamp, -1);
  EXPECT_EQ(c.records[1].value, "2");
}

TEST(LegacyMessageSet, CompressedWrappersAreOpenedAndTheCodecKept) {
  auto inner = message_set({message(1, "a", "1", 10), message(1, "b", "2", 20)});
  auto c = convert_ok(
      message_set({message(1, std::nullopt, gzip(inner), 20, 1), message(1, "c", "3", 30)}));
  EXPECT_EQ(c.header.codec(), compression::gzip);
  ASSERT_EQ(c.records.size(), 3u);
  EXPECT_EQ(c.records[0].key, "a");
  EXPECT_EQ(c.records[1].value, "2");
  EXPECT_EQ(c.records[2].value, "3");
  EXPECT_EQ(c.header.max_timestamp, 30);
}

TEST(LegacyMessageSet, ALogAppendTimeWrapperStampsItsRecords) {
  auto inner = message_set({message(1, "a", "1", 10), message(1, "b", "2", 20)});
  auto c = convert_ok(message_set({message(1, std::nullopt, gzip(inner), 999, 1 | 0x08)}));
  EXPECT_EQ(c.header.base_timestamp, 999);
  EXPECT_EQ(c.records[1].timestamp_delta, 0);
}

TEST(LegacyMessageSet, HostileSetsAreRefused) {
  auto good = message_set({message(1, "k", "v")});
  EXPECT_NE(refused("").find("empty"), std::string::npos);
  auto bad_crc = good;
  bad_crc.back() ^= 0x01;
  EXPECT_NE(refused(bad_crc).find("CRC"), std::string::npos);
  refused(good.substr(0, good.size() - 1));
  refused(good.substr(0, 10));
  auto big = good;
  big.replace(8, 4, be32(1 << 30));
  refused(big);
  auto negative = good;
  negative.replace(8, 4, be32(-5));
  refused(negative);
  // A key length past the message, with a matching CRC.
  std::string body = std::string(1, '\1') + std::string(1, '\0') + be64(1) + be32(100) + "k";
  auto crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  refused(message_set({be32(static_cast<int32_t>(crc)) + body}));
  refused(message_set({message(2, "k", "v")}));
  refused(message_set({message(1, std::nullopt, "zstd!", 1, 4)}));
  refused(message_set({message(1, std::nullopt, "not gzip", 1, 1)}));
  refused(message_set({message(1, std::nullopt, std::nullopt, 1, 1)}));
  auto nested = message_set({message(1, std::nullopt, gzip(good), 1, 1)});
  EXPECT_NE(refused(message_set({message(1, std::nullopt, gzip(nested), 1, 1)})).find("inside"),
            std::string::npos);
  auto mixed = message_set({message(0, "k", "v")});
  refused(message_set({message(1, std::nullopt, gzip(mixed), 1, 1)}));
  // Timestamps too far apart for a v2 batch's deltas.
  EXPECT_NE(refused(message_set({message(1, "a", "1", INT64_MIN), message(1, "b", "2", INT64_MAX)}))
                .find("too far apart"),
            std::string::npos);
}

TEST(LegacyMessageSet, ADecompressionBombIsRefused) {
  std::string huge(8 << 20, 'x');
  auto inner = message_set({message(1, "k", huge)});
  std::string why;
  auto set = message_set({message(1, std::nullopt, gzip(inner), 1, 1)});
  auto v2 = upconvert_message_set(std::as_bytes(std::span(set)), why, 1 << 20);
  ASSERT_FALSE(v2);
  EXPECT_EQ(v2.error(), make_error_code(compression_errc::too_large));
}

TEST(LegacyMessageSet, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  auto good = message_set({message(1, "k", "v"), message(0, std::nullopt, "w")});
  for (int i = 0; i < 20000; ++i) {
    std::string s = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      s[rng() % s.size()] = static_cast<char>(rng());
    }
    if (rng() % 4 == 0) {
      s.resize(rng() % s.size());
    }
    std::string why;
    auto v2 = upconvert_message_set(std::as_bytes(std::span(s)), why);
    if (v2) {
      EXPECT_TRUE(validate_batch(std::as_bytes(std::span(*v2)), v2->size()));
    }
  }
}

}  // namespace
}  // namespace brook::protocol
