#include "protocol/record_batch.h"

#include <gtest/gtest.h>

#include "base/big_endian.h"
#include "base/varint.h"

namespace brook::protocol {
namespace {
namespace L = batch_layout;

std::string sample() {
  std::vector<record> rs(3);
  rs[0].key = "a";
  rs[0].value = "alpha";
  rs[0].headers = {{"h", "1"}};
  rs[1].null_key = true;
  rs[1].value = "beta";
  rs[1].timestamp_delta = 5;
  rs[2].key = "c";
  rs[2].null_value = true;
  rs[2].timestamp_delta = 9;
  return build_batch(rs, 1000, 77, 3, 10);
}

std::span<const std::byte> cbytes(const std::string& s) {
  return std::as_bytes(std::span(s));
}
std::span<std::byte> wbytes(std::string& s) {
  return std::as_writable_bytes(std::span(s));
}

TEST(RecordBatch, BuiltBatchValidatesAndDecodes) {
  auto b = sample();
  auto h = validate_batch(cbytes(b), 1 << 20);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->magic, 2);
  EXPECT_EQ(h->records_count, 3);
  EXPECT_EQ(h->last_offset_delta, 2);
  EXPECT_EQ(h->base_timestamp, 1000);
  EXPECT_EQ(h->max_timestamp, 1009);
  EXPECT_EQ(h->producer_id, 77);
  EXPECT_EQ(h->producer_epoch, 3);
  EXPECT_EQ(h->base_sequence, 10);
  EXPECT_EQ(h->total_size(), b.size());
  auto rs = decode_records(cbytes(b));
  ASSERT_TRUE(rs);
  ASSERT_EQ(rs->size(), 3u);
  EXPECT_EQ((*rs)[0].value, "alpha");
  EXPECT_EQ((*rs)[0].headers.at(0).value, "1");
  EXPECT_TRUE((*rs)[1].null_key);
  EXPECT_TRUE((*rs)[2].null_value);
}

TEST(RecordBatch, BadCrcIsRejected) {
  auto b = sample();
  b[b.size() - 1] ^= 0x01;
  EXPECT_EQ(validate_batch(cbytes(b), 1 << 20).error(), batch_errc::bad_crc);
}

TEST(RecordBatch, WrongMagicIsRejected) {
  auto b = sample();
  b[L::magic] = 1;
  EXPECT_EQ(validate_batch(cbytes(b), 1 << 20).error(), batch_errc::bad_magic);
}

TEST(RecordBatch, TruncatedIsRejected) {
  auto b = sample();
  EXPECT_EQ(validate_batch(cbytes(b).first(b.size() - 1), 1 << 20).error(), batch_errc::truncated);
  EXPECT_EQ(validate_batch(cbytes(b).first(10), 1 << 20).error(), batch_errc::truncated);
}

TEST(RecordBatch, LengthBelowHeaderIsRejected) {
  auto b = sample();
  be::store<int32_t>(wbytes(b).data() + L::batch_length, 20);
  EXPECT_EQ(validate_batch(cbytes(b), 1 << 20).error(), batch_errc::bad_length);
}

TEST(RecordBatch, LengthAboveLimitIsRejected) {
  auto b = sample();
  EXPECT_EQ(validate_batch(cbytes(b), b.size() - 1).error(), batch_errc::too_large);
}

TEST(RecordBatch, UnknownCodecIsRejected) {
  auto b = sample();
  be::store<int16_t>(wbytes(b).data() + L::attributes, 6);
  be::store<uint32_t>(wbytes(b).data() + L::crc, compute_batch_crc(cbytes(b)));
  EXPECT_EQ(validate_batch(cbytes(b), 1 << 20).error(), batch_errc::bad_compression);
}

TEST(RecordBatch, NegativeOffsetDeltaIsRejected) {
  auto b = sample();
  be::store<int32_t>(wbytes(b).data() + L::last_offset_delta, -1);
  be::store<uint32_t>(wbytes(b).data() + L::crc, compute_batch_crc(cbytes(b)));
  EXPECT_EQ(validate_batch(cbytes(b), 1 << 20).error(), batch_errc::bad_offset_delta);
}

TEST(RecordBatch, BaseOffsetRewriteKeepsCrc) {
  auto b = sample();
  set_base_offset(wbytes(b), 123456789);
  auto h = validate_batch(cbytes(b), 1 << 20);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->base_offset, 123456789);
}

TEST(RecordBatch, LogAppendTimeRewriteUpdatesCrc) {
  auto b = sample();
  set_log_append_time(wbytes(b), 5555);
  auto h = validate_batch(cbytes(b), 1 << 20);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->log_append_time());
  EXPECT_EQ(h->max_timestamp, 5555);
}

TEST(RecordBatch, GarbageRecordsFailToDecode) {
  auto b = sample();
  b[L::header_size] = '\x7f';  // first record's length varint now claims too much
  EXPECT_FALSE(decode_records(cbytes(b)));
}

// --- exact bytes ---------------------------------------------------------------------

TEST(RecordBatch, RecordBytesAreKafkaV2) {
  std::vector<record> rs(1);
  rs[0].key = "k";
  rs[0].value = "v";
  rs[0].timestamp_delta = 0;
  rs[0].headers = {{"h", "", true}};
  auto b = build_batch(rs, 1000);
  // length 11, attributes 0, timestamp delta 0, offset delta 0, key "k", value "v",
  // 1 header: key "h", null value. Lengths are zig-zag varints: 1 -> 0x02, -1 -> 0x01,
  // 11 -> 0x16.
  const std::string expected("\x16\x00\x00\x00\x02k\x02v\x02\x02h\x01", 12);
  ASSERT_EQ(b.size(), L::header_size + expected.size());
  EXPECT_EQ(b.substr(L::header_size), expected);
  EXPECT_EQ(be::load<int32_t>(cbytes(b).data() + L::batch_length),
            static_cast<int32_t>(b.size() - L::length_prefix));
  EXPECT_EQ(be::load<int16_t>(cbytes(b).data() + L::attributes), 0);
}

TEST(RecordBatch, HeaderBindsAsKeyValuePair) {
  record_header h{"trace", "abc"};
  const auto& [k, v] = h;
  EXPECT_EQ(k, "trace");
  EXPECT_EQ(v, "abc");
  EXPECT_FALSE(h.null_value);
}

TEST(RecordBatch, MaxTimestampIsTheLargestRecordTimestamp) {
  std::vector<record> rs(2);
  rs[0].timestamp_delta = -7;
  rs[1].timestamp_delta = -3;
  auto b = build_batch(rs, 1000);
  auto h = validate_batch(cbytes(b), 1 << 20);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->max_timestamp, 997);
}

// --- every codec ---------------------------------------------------------------------

std::vector<record> varied_records() {
  std::vector<record> rs(6);
  rs[0].key = "user-1";
  rs[0].value = R"({"name":"ada","visits":3})";
  rs[0].headers = {{"trace-id", "0af7651916cd43dd"}, {"tenant", "acme"}};
  rs[1].null_key = true;
  rs[1].value = "no key";
  rs[1].timestamp_delta = 12;
  rs[2].key = "tombstone";
  rs[2].null_value = true;
  rs[2].headers = {{"null-header", "", true}, {"empty-header", ""}};
  rs[2].timestamp_delta = 5;
  rs[3].null_key = true;
  rs[3].null_value = true;
  rs[4].key = "";
  rs[4].value = "";
  rs[5].key = "big";
  rs[5].value.assign(300'000, 'z');
  for (int i = 0; i < 300; ++i) {
    rs[5].value[static_cast<size_t>(i) * 1000] = static_cast<char>('a' + i % 26);
  }
  rs[5].headers = {{"binary", std::string("\0\xff\x01", 3)}};
  rs[5].timestamp_delta = 1 << 20;
  return rs;
}

void expect_same_records(const std::vector<record>& got, const std::vector<record>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    EXPECT_EQ(got[i].null_key, want[i].null_key);
    EXPECT_EQ(got[i].null_value, want[i].null_value);
    if (!want[i].null_key) {
      EXPECT_EQ(got[i].key, want[i].key);
    }
    if (!want[i].null_value) {
      EXPECT_EQ(got[i].value, want[i].value);
    }
    EXPECT_EQ(got[i].timestamp_delta, want[i].timestamp_delta);
    EXPECT_EQ(got[i].offset_delta, static_cast<int32_t>(i));
    ASSERT_EQ(got[i].headers.size(), want[i].headers.size());
    for (size_t j = 0; j < got[i].headers.size(); ++j) {
      EXPECT_EQ(got[i].headers[j].key, want[i].headers[j].key);
      EXPECT_EQ(got[i].headers[j].null_value, want[i].headers[j].null_value);
      EXPECT_EQ(got[i].headers[j].value, want[i].headers[j].value);
    }
  }
}

class BatchCodec : public ::testing::TestWithParam<compression> {};

TEST_P(BatchCodec, RecordsRoundTrip) {
  auto rs = varied_records();
  auto b = build_batch(rs, 1'700'000'000'000, GetParam(), 42, 1, 100);
  ASSERT_TRUE(b) << b.error().message();
  auto h = validate_batch(cbytes(*b), 1 << 20);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->codec(), GetParam());
  EXPECT_EQ(h->records_count, 6);
  EXPECT_EQ(h->last_offset_delta, 5);
  EXPECT_EQ(h->max_timestamp, 1'700'000'000'000 + (1 << 20));
  EXPECT_EQ(h->producer_id, 42);
  EXPECT_EQ(h->producer_epoch, 1);
  EXPECT_EQ(h->base_sequence, 100);
  EXPECT_EQ(h->total_size(), b->size());
  if (GetParam() != compression::none) {
    EXPECT_LT(b->size(), 100'000u);  // the 300 KB value compresses
  }
  auto got = decode_records(cbytes(*b));
  ASSERT_TRUE(got) << got.error().message();
  expect_same_records(*got, rs);
}

TEST_P(BatchCodec, SingleRecordRoundTrips) {
  std::vector<record> rs(1);
  rs[0].key = "k";
  rs[0].value = "v";
  auto b = build_batch(rs, 0, GetParam());
  ASSERT_TRUE(b);
  ASSERT_TRUE(validate_batch(cbytes(*b), 1 << 20));
  auto got = decode_records(cbytes(*b));
  ASSERT_TRUE(got) << got.error().message();
  expect_same_records(*got, rs);
}

TEST_P(BatchCodec, RecordsAboveTheLimitAreRefused) {
  auto rs = varied_records();
  auto b = build_batch(rs, 0, GetParam());
  ASSERT_TRUE(b);
  auto got = decode_records(cbytes(*b), 64 * 1024);
  if (GetParam() == compression::none) {
    EXPECT_TRUE(got);  // nothing to expand: the limit is for decompression
  } else {
    EXPECT_EQ(got.error(), compression_errc::too_large);
  }
}

TEST_P(BatchCodec, TruncatedRecordsFailToDecode) {
  auto rs = varied_records();
  auto b = build_batch(rs, 0, GetParam());
  ASSERT_TRUE(b);
  // Drop the last byte of the records and shorten the batch to match.
  b->pop_back();
  be::store<int32_t>(wbytes(*b).data() + L::batch_length,
                     static_cast<int32_t>(b->size() - L::length_prefix));
  EXPECT_FALSE(decode_records(cbytes(*b)));
}

TEST_P(BatchCodec, MissingBytesAreTruncated) {
  auto b = build_batch(varied_records(), 0, GetParam());
  ASSERT_TRUE(b);
  EXPECT_EQ(decode_records(cbytes(*b).first(b->size() - 1)).error(), batch_errc::truncated);
}

TEST_P(BatchCodec, RecordCountAboveTheRecordsIsRejected) {
  auto b = build_batch(varied_records(), 0, GetParam());
  ASSERT_TRUE(b);
  be::store<int32_t>(wbytes(*b).data() + L::records_count, 7);
  EXPECT_EQ(decode_records(cbytes(*b)).error(), batch_errc::bad_records);
  be::store<int32_t>(wbytes(*b).data() + L::records_count, 5);  // one record left over
  EXPECT_EQ(decode_records(cbytes(*b)).error(), batch_errc::bad_records);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, BatchCodec,
                         ::testing::Values(compression::none, compression::gzip,
                                           compression::snappy, compression::lz4,
                                           compression::zstd),
                         [](const auto& info) {
                           return std::string(compression_name(info.param));
                         });

// A batch around records bytes made here, so that they can be wrong on purpose.
std::string batch_around(const std::string& records, int32_t count, compression codec) {
  auto packed = compress(codec, cbytes(records));
  BROOK_ASSERT(packed.has_value(), "compress");
  std::string b(L::header_size, '\0');
  b.append(reinterpret_cast<const char*>(packed->data()), packed->size());
  auto* p = wbytes(b).data();
  be::store<int32_t>(p + L::batch_length, static_cast<int32_t>(b.size() - L::length_prefix));
  be::store<int8_t>(p + L::magic, L::current_magic);
  be::store<int16_t>(p + L::attributes, static_cast<int16_t>(codec));
  be::store<int32_t>(p + L::last_offset_delta, count - 1);
  be::store<int32_t>(p + L::records_count, count);
  be::store<uint32_t>(p + L::crc, compute_batch_crc(cbytes(b)));
  return b;
}

// One record, key "k", value "v", no headers: 8 bytes after its length (zig-zag 0x10).
const std::string one_record("\x10\x00\x00\x00\x02k\x02v\x00", 9);

TEST(RecordBatch, HandMadeRecordsDecode) {
  for (auto codec : {compression::none, compression::gzip, compression::zstd}) {
    auto b = batch_around(one_record, 1, codec);
    ASSERT_TRUE(validate_batch(cbytes(b), 1 << 20));
    auto got = decode_records(cbytes(b));
    ASSERT_TRUE(got) << got.error().message();
    EXPECT_EQ(got->at(0).value, "v");
  }
}

TEST(RecordBatch, TrailingBytesAfterTheRecordsAreRejected) {
  for (auto codec : {compression::none, compression::gzip, compression::snappy, compression::lz4,
                     compression::zstd}) {
    auto b = batch_around(one_record + std::string(1, '\0'), 1, codec);
    ASSERT_TRUE(validate_batch(cbytes(b), 1 << 20));
    EXPECT_EQ(decode_records(cbytes(b)).error(), batch_errc::bad_records)
        << compression_name(codec);
  }
}

TEST(RecordBatch, TrailingBytesInsideARecordAreRejected) {
  // The record's length says 9 while its fields take 8 bytes.
  std::string r = one_record;
  r[0] = '\x12';
  r.push_back('\x00');
  EXPECT_EQ(decode_records(cbytes(batch_around(r, 1, compression::none))).error(),
            batch_errc::bad_records);
}

TEST(RecordBatch, NullHeaderKeyIsRejected) {
  std::string r("\x16\x00\x00\x00\x02k\x02v\x02\x01\x02x", 12);  // header key length -1
  EXPECT_EQ(decode_records(cbytes(batch_around(r, 1, compression::none))).error(),
            batch_errc::bad_records);
}

TEST(RecordBatch, LengthBelowMinusOneIsRejected) {
  std::string r("\x10\x00\x00\x00\x03k\x02v\x00", 9);  // key length -2
  EXPECT_EQ(decode_records(cbytes(batch_around(r, 1, compression::none))).error(),
            batch_errc::bad_records);
}

TEST(RecordBatch, HugeRecordCountIsRejectedWithoutAllocating) {
  auto b = batch_around(one_record, 1, compression::none);
  be::store<int32_t>(wbytes(b).data() + L::records_count, 0x7fffffff);
  EXPECT_EQ(decode_records(cbytes(b)).error(), batch_errc::bad_records);
  be::store<int32_t>(wbytes(b).data() + L::records_count, -1);
  EXPECT_EQ(decode_records(cbytes(b)).error(), batch_errc::bad_offset_delta);
}

TEST(RecordBatch, DecodeChecksTheHeader) {
  auto b = sample();
  EXPECT_EQ(decode_records(cbytes(b).first(30)).error(), batch_errc::truncated);
  auto bad = b;
  bad[L::magic] = 1;
  EXPECT_EQ(decode_records(cbytes(bad)).error(), batch_errc::bad_magic);
  bad = b;
  be::store<int32_t>(wbytes(bad).data() + L::batch_length, 10);
  EXPECT_EQ(decode_records(cbytes(bad)).error(), batch_errc::bad_length);
  bad = b;
  be::store<int16_t>(wbytes(bad).data() + L::attributes, 5);
  EXPECT_EQ(decode_records(cbytes(bad)).error(), batch_errc::bad_compression);
}

TEST(RecordBatch, CorruptCompressedRecordsFailToDecode) {
  auto b = build_batch(varied_records(), 0, compression::lz4);
  ASSERT_TRUE(b);
  (*b)[L::header_size + 6] ^= 0x01;  // the lz4 frame's header checksum
  EXPECT_EQ(decode_records(cbytes(*b)).error(), compression_errc::corrupt);
}

// The log cleaner's empty batch: the header alone, valid as a stored batch (not as a
// producer's), same offsets and producer fields, no records, uncompressed.
TEST(RecordBatch, AnEmptyBatchKeepsItsOffsetsAndProducer) {
  std::vector<record> rs(3);
  for (auto& r : rs) {
    r.key = "k";
    r.value = std::string(100, 'v');
  }
  rs[2].timestamp_delta = 9;
  auto b = build_batch(rs, 1000, compression::zstd, 77, 3, 10);
  ASSERT_TRUE(b);
  set_base_offset(wbytes(*b), 500);
  auto empty = empty_batch(cbytes(*b));
  EXPECT_EQ(empty.size(), L::header_size);
  auto h = validate_batch(cbytes(empty), 1 << 20, batch_origin::stored);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->records_count, 0);
  EXPECT_EQ(h->base_offset, 500);
  EXPECT_EQ(h->last_offset(), 502);
  EXPECT_EQ(h->codec(), compression::none);
  EXPECT_EQ(h->base_timestamp, 1009);
  EXPECT_EQ(h->max_timestamp, 1009);
  EXPECT_EQ(h->producer_id, 77);
  EXPECT_EQ(h->producer_epoch, 3);
  EXPECT_EQ(h->base_sequence, 10);
  auto records = decode_records(cbytes(empty));
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
  EXPECT_EQ(validate_batch(cbytes(empty), 1 << 20).error(), batch_errc::bad_offset_delta);
}

}  // namespace
}  // namespace brook::protocol
