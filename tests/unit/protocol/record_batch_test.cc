#include "protocol/record_batch.h"

#include <gtest/gtest.h>

#include "base/big_endian.h"

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
  EXPECT_EQ((*rs)[0].headers.at(0).second, "1");
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

}  // namespace
}  // namespace brook::protocol
