// The Kafka wire codec: wire_reader / wire_writer primitives, and the generated message
// structs against byte layouts from the protocol documentation and from kafka-python.
//
// The "MatchesKafkaPython" constants were produced by kafka-python 2.0.2's protocol
// classes (/usr/bin/python3), e.g.
//   from kafka.protocol.produce import ProduceRequest
//   r = ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=1500,
//                         topics=[("t", [(2, b"\x01\x02\x03")])]); r.encode().hex()
// kafka-python 2.0 has no flexible versions; those layouts are written out by hand from
// the compact encodings (KIP-482), field by field in the comments.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/errc.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/api_catalog.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/describe_log_dirs.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/incremental_alter_configs.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "protocol/request_header.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

#if defined(__SANITIZE_ADDRESS__)
// From the sanitizer runtime (sanitizer/allocator_interface.h, which GCC does not ship).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

#include "support/hex.h"

namespace brook::protocol {
namespace {

using test::encode_hex;
using test::hex;
using test::unhex;

template <typename Write>
std::string written(Write&& write) {
  wire_writer w;
  write(w);
  return hex(w.buffer());
}

// ---------------------------------------------------------------------------------------
// Primitives

TEST(WireCodec, NonCompactStringHasInt16Length) {
  EXPECT_EQ(written([](wire_writer& w) { w.write_string("kafka", false); }), "00056b61666b61");
  auto bytes = unhex("00056b61666b61");
  wire_reader r(bytes);
  std::string s;
  r.read_string(s, false);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(s, "kafka");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireCodec, CompactStringHasUvarintLengthPlusOne) {
  EXPECT_EQ(written([](wire_writer& w) { w.write_string("kafka", true); }), "066b61666b61");
  EXPECT_EQ(written([](wire_writer& w) { w.write_string("", true); }), "01");
  EXPECT_EQ(written([](wire_writer& w) { w.write_string("", false); }), "0000");
  // 200 characters: length+1 = 201 = 0xc9 0x01 as a uvarint.
  std::string long_string(200, 'x');
  std::string encoded = written([&](wire_writer& w) { w.write_string(long_string, true); });
  EXPECT_EQ(encoded.substr(0, 4), "c901");
  auto bytes = unhex(encoded);
  wire_reader r(bytes);
  std::string s;
  r.read_string(s, true);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(s, long_string);
}

TEST(WireCodec, CompactAndNonCompactBytes) {
  std::vector<std::byte> v = unhex("0102");
  EXPECT_EQ(written([&](wire_writer& w) { w.write_bytes(v, false); }), "000000020102");
  EXPECT_EQ(written([&](wire_writer& w) { w.write_bytes(v, true); }), "030102");
  auto bytes = unhex("030102");
  wire_reader r(bytes);
  std::vector<std::byte> out;
  r.read_bytes(out, true);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(out, v);
}

TEST(WireCodec, NullStringsBytesAndArrays) {
  EXPECT_EQ(written([](wire_writer& w) { w.write_null_string(false); }), "ffff");
  EXPECT_EQ(written([](wire_writer& w) { w.write_null_string(true); }), "00");
  EXPECT_EQ(written([](wire_writer& w) { w.write_null_bytes(false); }), "ffffffff");
  EXPECT_EQ(written([](wire_writer& w) { w.write_null_bytes(true); }), "00");
  EXPECT_EQ(written([](wire_writer& w) { w.write_null_array(false); }), "ffffffff");
  EXPECT_EQ(written([](wire_writer& w) { w.write_null_array(true); }), "00");

  auto non_compact = unhex(
      "ffff"
      "ffffffff"
      "ffffffff");
  wire_reader r(non_compact);
  EXPECT_TRUE(r.next_is_null_string(false));
  EXPECT_TRUE(r.next_is_null_bytes(false));
  EXPECT_EQ(r.read_array_length(false), -1);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);

  auto compact = unhex("000000");
  wire_reader c(compact);
  EXPECT_TRUE(c.next_is_null_string(true));
  EXPECT_TRUE(c.next_is_null_bytes(true));
  EXPECT_EQ(c.read_array_length(true), -1);
  EXPECT_FALSE(c.failed());
  EXPECT_EQ(c.remaining(), 0u);
}

TEST(WireCodec, EmptyIsNotNull) {
  auto bytes = unhex(
      "0000"
      "01");
  wire_reader r(bytes);
  EXPECT_FALSE(r.next_is_null_string(false));
  std::string s = "x";
  r.read_string(s, false);
  EXPECT_EQ(s, "");
  EXPECT_FALSE(r.next_is_null_string(true));
  r.read_string(s, true);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireCodec, NullWhereAStringIsRequiredFails) {
  auto bytes = unhex("ffff");
  wire_reader r(bytes);
  std::string s;
  r.read_string(s, false);
  EXPECT_TRUE(r.failed());
}

TEST(WireCodec, NegativeLengthFailsForARequiredString) {
  auto bytes = unhex("fffe");  // -2
  wire_reader r(bytes);
  std::string s;
  r.read_string(s, false);
  EXPECT_TRUE(r.failed());
}

TEST(WireCodec, AnyNegativeLengthOfANullableStringIsNull) {
  // As Kafka reads them: a nullable string or bytes with a length below -1 is null too.
  auto bytes = unhex(
      "fffe"
      "80000000");
  wire_reader r(bytes);
  EXPECT_TRUE(r.next_is_null_string(false));
  EXPECT_TRUE(r.next_is_null_bytes(false));
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireCodec, StringLongerThanTheBytesLeftFails) {
  auto bytes = unhex("0005616263");
  wire_reader r(bytes);
  std::string s;
  r.read_string(s, false);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(WireCodec, UvarintSizesAtBoundaries) {
  struct sample {
    uint32_t value;
    const char* hex;
  };
  const sample samples[] = {
      {0, "00"},
      {1, "01"},
      {127, "7f"},
      {128, "8001"},
      {300, "ac02"},
      {16383, "ff7f"},
      {16384, "808001"},
      {(1u << 21) - 1, "ffff7f"},
      {1u << 21, "80808001"},
      {(1u << 28) - 1, "ffffff7f"},
      {1u << 28, "8080808001"},
      {std::numeric_limits<uint32_t>::max(), "ffffffff0f"},
  };
  for (const auto& s : samples) {
    EXPECT_EQ(written([&](wire_writer& w) { w.write_uvarint(s.value); }), s.hex) << s.value;
    auto bytes = unhex(s.hex);
    wire_reader r(bytes);
    EXPECT_EQ(r.read_uvarint(), s.value) << s.hex;
    EXPECT_FALSE(r.failed()) << s.hex;
    EXPECT_EQ(r.remaining(), 0u) << s.hex;
  }
}

TEST(WireCodec, UvarintFiveByteMaximumDecodes) {
  auto bytes = unhex(
      "ffffffff0f"
      "2a");
  wire_reader r(bytes);
  EXPECT_EQ(r.read_uvarint(), std::numeric_limits<uint32_t>::max());
  EXPECT_EQ(r.read_int8(), 42);
  EXPECT_FALSE(r.failed());
}

TEST(WireCodec, UvarintOverlongFails) {
  // Fifth byte with bits above 32, fifth byte with the continuation bit, and six bytes.
  for (const char* h : {"ffffffff1f", "ffffffff8f01", "808080808000", "ffffffffff01"}) {
    auto bytes = unhex(h);
    wire_reader r(bytes);
    EXPECT_EQ(r.read_uvarint(), 0u) << h;
    EXPECT_TRUE(r.failed()) << h;
  }
}

TEST(WireCodec, UvarintTruncatedFails) {
  auto bytes = unhex("8080");
  wire_reader r(bytes);
  r.read_uvarint();
  EXPECT_TRUE(r.failed());
}

TEST(WireCodec, VarintAndVarlongAreZigZag) {
  EXPECT_EQ(written([](wire_writer& w) { w.write_varint(0); }), "00");
  EXPECT_EQ(written([](wire_writer& w) { w.write_varint(-1); }), "01");
  EXPECT_EQ(written([](wire_writer& w) { w.write_varint(1); }), "02");
  EXPECT_EQ(written([](wire_writer& w) { w.write_varint(-64); }), "7f");
  EXPECT_EQ(written([](wire_writer& w) { w.write_varint(64); }), "8001");
  EXPECT_EQ(written([](wire_writer& w) { w.write_varint(std::numeric_limits<int32_t>::min()); }),
            "ffffffff0f");
  EXPECT_EQ(written([](wire_writer& w) { w.write_varlong(std::numeric_limits<int64_t>::min()); }),
            "ffffffffffffffffff01");
  auto bytes = unhex(
      "ffffffff0f"
      "ffffffffffffffffff01"
      "feffffff0f");
  wire_reader r(bytes);
  EXPECT_EQ(r.read_varint(), std::numeric_limits<int32_t>::min());
  EXPECT_EQ(r.read_varlong(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.read_varint(), std::numeric_limits<int32_t>::max());
  EXPECT_FALSE(r.failed());
}

TEST(WireCodec, VarlongOfMoreThanTenBytesFails) {
  auto bytes = unhex("ffffffffffffffffffff01");
  wire_reader r(bytes);
  r.read_varlong();
  EXPECT_TRUE(r.failed());
}

TEST(WireCodec, FixedWidthIntegersAreBigEndian) {
  EXPECT_EQ(written([](wire_writer& w) {
              w.write_int16(0x0102);
              w.write_int32(-2);
              w.write_int64(0x0102030405060708);
              w.write_bool(true);
            }),
            "0102"
            "fffffffe"
            "0102030405060708"
            "01");
}

TEST(WireCodec, ReadPastTheEndFailsAndStaysFailed) {
  auto bytes = unhex(
      "0001"
      "02");
  wire_reader r(bytes);
  EXPECT_EQ(r.read_int16(), 1);
  EXPECT_EQ(r.read_int32(), 0);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.read_int8(), 0);  // the byte left is not read after a failure
  EXPECT_TRUE(r.failed());
}

TEST(WireCodec, ArrayCountAboveTheBytesLeftFails) {
  auto bytes = unhex(
      "00000003"
      "0102");
  wire_reader r(bytes);
  EXPECT_EQ(r.read_array_length(false), 0);
  EXPECT_TRUE(r.failed());

  auto compact = unhex("ffffffff07");  // 2^31 - 1 elements, compact
  wire_reader c(compact);
  EXPECT_EQ(c.read_array_length(true), 0);
  EXPECT_TRUE(c.failed());
}

TEST(WireCodec, TaggedValueIsSizePrefixed) {
  wire_writer value;
  value.write_int32(7);
  EXPECT_EQ(written([&](wire_writer& w) { w.write_tagged_value(value); }), "0400000007");
}

// ---------------------------------------------------------------------------------------
// Generated messages: nullability, counts, tags, versions

TEST(WireCodec, NegativeArrayLengthFailsWhereNotNullable) {
  // Produce v3: transactional_id null, acks -1, timeout 1500, topic_data count -1.
  auto v3 = unhex(
      "ffff"
      "ffff"
      "000005dc"
      "ffffffff");
  EXPECT_EQ(produce_request::decode(v3, 3).error(), protocol_errc::malformed);
  // Produce v9: the compact null (0) for topic_data.
  auto v9 = unhex(
      "00"
      "ffff"
      "000005dc"
      "00"
      "00");
  EXPECT_EQ(produce_request::decode(v9, 9).error(), protocol_errc::malformed);
  // A count below -1 is no null either.
  auto minus_two = unhex(
      "ffff"
      "ffff"
      "000005dc"
      "fffffffe");
  EXPECT_EQ(produce_request::decode(minus_two, 3).error(), protocol_errc::malformed);
}

TEST(WireCodec, NullArrayDecodesWhereNullable) {
  // Metadata topics: nullable from v1 (null = all topics), not in v0.
  auto null_topics = unhex("ffffffff");
  auto v1 = metadata_request::decode(null_topics, 1);
  ASSERT_TRUE(v1);
  EXPECT_FALSE(v1->topics.has_value());
  EXPECT_EQ(metadata_request::decode(null_topics, 0).error(), protocol_errc::malformed);
  EXPECT_EQ(encode_hex(*v1, 1), "ffffffff");
}

#if defined(__SANITIZE_ADDRESS__)
std::atomic<bool> watching_allocations{false};
std::atomic<size_t> largest_allocation{0};

void on_malloc(const volatile void*, size_t size) {
  if (watching_allocations.load(std::memory_order_relaxed)) {
    size_t seen = largest_allocation.load(std::memory_order_relaxed);
    while (size > seen && !largest_allocation.compare_exchange_weak(seen, size)) {
    }
  }
}
void on_free(const volatile void*) {}

// The largest single allocation `f` makes (the sanitizer runtime reports each one).
template <typename F>
size_t largest_allocation_of(F&& f) {
  static const bool installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
  EXPECT_TRUE(installed);
  largest_allocation = 0;
  watching_allocations = true;
  f();
  watching_allocations = false;
  return largest_allocation;
}
#endif

TEST(WireCodec, HugeArrayCountWithFewBytesFailsWithoutAllocating) {
  // Produce v3 with 2^31-1 topics, then a few bytes: each topic struct is far larger than
  // a byte, so reserving for the count would be gigabytes.
  auto outer = unhex(
      "ffff"
      "ffff"
      "000005dc"
      "7fffffff"
      "00017400");
  // One plausible topic whose partition count is huge.
  auto inner = unhex(
      "ffff"
      "ffff"
      "000005dc"
      "00000001"
      "000174"
      "7fffffff"
      "000000");
  // Produce v9, compact counts.
  auto compact = unhex(
      "00"
      "ffff"
      "000005dc"
      "ffffffff07"
      "0274");
  auto decode_all = [&] {
    EXPECT_EQ(produce_request::decode(outer, 3).error(), protocol_errc::malformed);
    EXPECT_EQ(produce_request::decode(inner, 3).error(), protocol_errc::malformed);
    EXPECT_EQ(produce_request::decode(compact, 9).error(), protocol_errc::malformed);
  };
#if defined(__SANITIZE_ADDRESS__)
  // Once first: the first decode of the process makes a one-time allocation of about 1 KiB
  // (lazy runtime initialisation, absent on the second call), which is not what is measured.
  decode_all();
  EXPECT_LT(largest_allocation_of(decode_all), 1024u);
#else
  decode_all();  // without the sanitizer runtime only the failure is checked
#endif
}

TEST(WireCodec, TaggedFieldsRoundTrip) {
  fetch_request m;
  m.cluster_id = "c1";
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  auto bytes = unhex(encode_hex(m, 12));
  // The request's tagged fields come last: one field, tag 0, 3 bytes, compact "c1".
  EXPECT_EQ(hex(bytes).substr(hex(bytes).size() - 12), "010003036331");
  auto back = fetch_request::decode(bytes, 12);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->cluster_id, "c1");
}

TEST(WireCodec, TaggedFieldAtItsDefaultIsNotEncoded) {
  fetch_request m;  // cluster_id null: its default
  std::string h = encode_hex(m, 12);
  EXPECT_EQ(h.substr(h.size() - 2), "00");  // no tagged fields
}

TEST(WireCodec, UnknownTaggedFieldsAreSkipped) {
  // ApiVersions v3 request: name "brook", version "1.0", then tags 5 (2 bytes) and
  // 9 (0 bytes), which ApiVersions does not know.
  auto bytes = unhex(
      "0662726f6f6b"
      "04312e30"
      "02"
      "05"
      "02"
      "abcd"
      "09"
      "00");
  auto m = api_versions_request::decode(bytes, 3);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->client_software_name, "brook");
  EXPECT_EQ(m->client_software_version, "1.0");

  // Fetch v12 with tag 9 before the known tag 0: the known one is still read.
  fetch_request f;
  std::string h = encode_hex(f, 12);
  h = h.substr(0, h.size() - 2) +
      "02"
      "09"
      "01"
      "ff"
      "00"
      "03"
      "036331";
  auto back = fetch_request::decode(unhex(h), 12);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->cluster_id, "c1");
}

TEST(WireCodec, TaggedFieldLongerThanTheMessageFails) {
  auto bytes = unhex(
      "0662726f6f6b"
      "04312e30"
      "01"
      "05"
      "10"
      "abcd");
  EXPECT_EQ(api_versions_request::decode(bytes, 3).error(), protocol_errc::malformed);
}

TEST(WireCodec, MalformedKnownTaggedFieldFails) {
  // Fetch v12 cluster_id (tag 0) whose value says 5 characters in a 2-byte field.
  fetch_request f;
  std::string h = encode_hex(f, 12);
  h = h.substr(0, h.size() - 2) +
      "01"
      "00"
      "02"
      "0661";
  EXPECT_EQ(fetch_request::decode(unhex(h), 12).error(), protocol_errc::malformed);
}

TEST(WireCodec, FieldAbsentInAVersionIsNotEncoded) {
  // Produce transactional_id exists from v3: v2 bytes are those of a request without it.
  produce_request with_id;
  with_id.transactional_id = "tx";
  with_id.acks = 1;
  produce_request without_id = with_id;
  without_id.transactional_id.reset();
  EXPECT_EQ(encode_hex(with_id, 2), encode_hex(without_id, 2));
  EXPECT_EQ(encode_hex(with_id, 2),
            "0001"
            "00000000"
            "00000000");
  EXPECT_NE(encode_hex(with_id, 3), encode_hex(without_id, 3));

  // Decoding v2 leaves the default.
  auto v2 = produce_request::decode(unhex("0001"
                                          "00000000"
                                          "00000000"),
                                    2);
  ASSERT_TRUE(v2);
  EXPECT_FALSE(v2->transactional_id.has_value());

  // Fetch rack_id exists from v11, cluster_id (a tag) only in v12.
  fetch_request f;
  f.rack_id = "rack-a";
  f.cluster_id = "c1";
  fetch_request plain;
  EXPECT_EQ(encode_hex(f, 10), encode_hex(plain, 10));
  EXPECT_NE(encode_hex(f, 11), encode_hex(plain, 11));
}

TEST(WireCodec, VersionOutsideTheSchemaIsUnsupported) {
  std::vector<std::byte> empty;
  EXPECT_EQ(api_versions_request::decode(empty, 4).error(), protocol_errc::unsupported_version);
  EXPECT_EQ(api_versions_request::decode(empty, -1).error(), protocol_errc::unsupported_version);
  EXPECT_EQ(produce_request::decode(empty, 10).error(), protocol_errc::unsupported_version);
}

// ---------------------------------------------------------------------------------------
// Known layouts

TEST(WireCodecKafka, ApiVersionsV0RequestIsEmpty) {
  api_versions_request m;
  m.client_software_name = "ignored before v3";
  EXPECT_EQ(encode_hex(m, 0), "");
  std::vector<std::byte> empty;
  auto back = api_versions_request::decode(empty, 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->client_software_name, "");
}

TEST(WireCodecKafka, ApiVersionsV3RequestLayout) {
  api_versions_request m;
  m.client_software_name = "brook";
  m.client_software_version = "1.0";
  // compact "brook", compact "1.0", no tagged fields.
  EXPECT_EQ(encode_hex(m, 3),
            "0662726f6f6b"
            "04312e30"
            "00");
  auto back = api_versions_request::decode(unhex(encode_hex(m, 3)), 3);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, ApiVersionsV0ResponseMatchesKafkaPython) {
  // ApiVersionResponse[0](error_code=35, api_versions=[(18, 0, 3)])
  api_versions_response m;
  m.error_code = 35;
  m.api_keys = {{18, 0, 3}};
  EXPECT_EQ(encode_hex(m, 0), "002300000001001200000003");
}

TEST(WireCodecKafka, ApiVersionsV1ResponseMatchesKafkaPython) {
  // ApiVersionResponse[1](error_code=0, api_versions=[(0, 0, 9), (18, 0, 3)],
  //                       throttle_time_ms=5)
  const char* expected = "00000000000200000000000900120000000300000005";
  api_versions_response m;
  m.api_keys = {{0, 0, 9}, {18, 0, 3}};
  m.throttle_time_ms = 5;
  EXPECT_EQ(encode_hex(m, 1), expected);
  auto back = api_versions_response::decode(unhex(expected), 1);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, ApiVersionsV3ResponseLayout) {
  api_versions_response m;
  m.api_keys = {{18, 0, 3}};
  m.finalized_features_epoch = 7;
  m.zk_migration_ready = true;
  // error 0, compact array of one (key 18, 0-3, no tags), throttle 0, then two tagged
  // fields in tag order: 1 = int64 7 (8 bytes), 3 = bool true (1 byte).
  const char* expected =
      "0000"
      "02"
      "0012"
      "0000"
      "0003"
      "00"
      "00000000"
      "02"
      "01"
      "08"
      "0000000000000007"
      "03"
      "01"
      "01";
  EXPECT_EQ(encode_hex(m, 3), expected);
  auto back = api_versions_response::decode(unhex(expected), 3);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, ProduceV3RequestMatchesKafkaPython) {
  // ProduceRequest[3](transactional_id=None, required_acks=-1, timeout=1500,
  //                   topics=[("t", [(2, b"\x01\x02\x03")])])
  const char* expected = "ffffffff000005dc00000001000174000000010000000200000003010203";
  auto bytes = unhex(expected);
  auto m = produce_request::decode(bytes, 3);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->transactional_id.has_value());
  EXPECT_EQ(m->acks, -1);
  EXPECT_EQ(m->timeout_ms, 1500);
  ASSERT_EQ(m->topic_data.size(), 1u);
  EXPECT_EQ(m->topic_data[0].name, "t");
  ASSERT_EQ(m->topic_data[0].partition_data.size(), 1u);
  const auto& p = m->topic_data[0].partition_data[0];
  EXPECT_EQ(p.index, 2);
  EXPECT_FALSE(p.records.is_null);
  EXPECT_EQ(hex(p.records.memory), "010203");
  // Records are a view into the body, not a copy.
  EXPECT_EQ(p.records.memory.data(), bytes.data() + bytes.size() - 3);
  EXPECT_EQ(encode_hex(*m, 3), expected);
}

TEST(WireCodecKafka, ProduceV3RequestWithTransactionalIdAndNullRecords) {
  // ProduceRequest[3](transactional_id="tx", required_acks=1, timeout=1500,
  //                   topics=[("t", [(2, None)])])
  const char* expected = "000274780001000005dc000000010001740000000100000002ffffffff";
  produce_request m;
  m.transactional_id = "tx";
  m.acks = 1;
  m.timeout_ms = 1500;
  m.topic_data.emplace_back().name = "t";
  m.topic_data[0].partition_data.emplace_back().index = 2;  // records null by default
  EXPECT_EQ(encode_hex(m, 3), expected);
  auto back = produce_request::decode(unhex(expected), 3);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);  // null records compare equal
}

TEST(WireCodecKafka, ProduceV9RequestLayout) {
  // transactional_id compact null, acks -1, timeout 1500, one topic (compact "t") with
  // one partition (index 2, compact records of 3 bytes, no tags), no tags, no tags.
  const char* expected =
      "00"
      "ffff"
      "000005dc"
      "02"
      "0274"
      "02"
      "00000002"
      "04010203"
      "00"
      "00"
      "00";
  auto bytes = unhex(expected);
  auto m = produce_request::decode(bytes, 9);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->transactional_id.has_value());
  EXPECT_EQ(m->acks, -1);
  ASSERT_EQ(m->topic_data.size(), 1u);
  ASSERT_EQ(m->topic_data[0].partition_data.size(), 1u);
  EXPECT_EQ(hex(m->topic_data[0].partition_data[0].records.memory), "010203");
  EXPECT_EQ(encode_hex(*m, 9), expected);
}

TEST(WireCodecKafka, ProduceRecordsNullOnlyWhereNullable) {
  // Compact null records (0) in v9 decode as null records.
  auto bytes = unhex(
      "00"
      "ffff"
      "000005dc"
      "02"
      "0274"
      "02"
      "00000002"
      "00"
      "00"
      "00"
      "00");
  auto m = produce_request::decode(bytes, 9);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->topic_data[0].partition_data[0].records.is_null);
}

TEST(WireCodecKafka, FetchV4RequestMatchesKafkaPython) {
  // FetchRequest[4](replica_id=-1, max_wait_time=500, min_bytes=1, max_bytes=1048576,
  //                 isolation_level=1, topics=[("t", [(0, 7, 65536)])])
  const char* expected =
      "ffffffff000001f4000000010010000001000000010001740000000100000000000000000000000700010000";
  fetch_request m;
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  m.max_bytes = 1048576;
  m.isolation_level = 1;
  auto& t = m.topics.emplace_back();
  t.topic = "t";
  auto& p = t.partitions.emplace_back();
  p.fetch_offset = 7;
  p.partition_max_bytes = 65536;
  EXPECT_EQ(encode_hex(m, 4), expected);
  auto back = fetch_request::decode(unhex(expected), 4);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, FetchV12RequestLayoutWithTaggedClusterId) {
  const char* expected =
      "ffffffff"
      "000001f4"
      "00000001"
      "00100000"
      "00"
      "00000000"
      "ffffffff"  // fixed fields
      "02"
      "0274"
      "02"  // one topic "t", one partition:
      "00000000"
      "ffffffff"
      "0000000000000007"  //   partition 0, leader epoch -1, offset 7
      "ffffffff"
      "ffffffffffffffff"
      "00010000"
      "00"  //   last fetched epoch, log start, max
      "00"  // topic tags
      "01"
      "01"  // no forgotten topics, rack ""
      "01"
      "00"
      "03"
      "036331";  // tag 0: cluster_id "c1"
  fetch_request m;
  m.cluster_id = "c1";
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  m.max_bytes = 1048576;
  auto& t = m.topics.emplace_back();
  t.topic = "t";
  auto& p = t.partitions.emplace_back();
  p.fetch_offset = 7;
  p.partition_max_bytes = 65536;
  EXPECT_EQ(encode_hex(m, 12), expected);
  auto back = fetch_request::decode(unhex(expected), 12);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, FetchV12ResponseTaggedStructRoundTrip) {
  fetch_response m;
  auto& t = m.responses.emplace_back();
  t.topic = "t";
  auto& p = t.partitions.emplace_back();
  p.high_watermark = 10;
  p.log_start_offset = 0;
  p.diverging_epoch.epoch = 3;
  p.diverging_epoch.end_offset = 100;
  const char* expected =
      "00000000"
      "0000"
      "00000000"  // throttle, error, session
      "02"
      "0274"
      "02"  // topic "t", one partition
      "00000000"
      "0000"
      "000000000000000a"  // index, error, watermark
      "ffffffffffffffff"
      "0000000000000000"  // last stable, log start
      "01"
      "ffffffff"
      "00"  // no aborted, replica -1, null records
      "01"
      "00"
      "0d"
      "00000003"
      "0000000000000064"
      "00"  // tag 0: diverging_epoch
      "00"
      "00";  // topic tags, response tags
  EXPECT_EQ(encode_hex(m, 12), expected);
  auto back = fetch_response::decode(unhex(expected), 12);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  // Before v12 the tagged struct is not on the wire.
  auto v11 = fetch_response::decode(unhex(encode_hex(m, 11)), 11);
  ASSERT_TRUE(v11);
  EXPECT_EQ(v11->responses[0].partitions[0].diverging_epoch.epoch, -1);
}

TEST(WireCodecKafka, MetadataV4RequestMatchesKafkaPython) {
  // MetadataRequest[4](topics=["a", "bc"], allow_auto_topic_creation=False)
  const char* expected = "000000020001610002626300";
  metadata_request m;
  m.topics->emplace_back().name = "a";
  m.topics->emplace_back().name = "bc";
  m.allow_auto_topic_creation = false;
  EXPECT_EQ(encode_hex(m, 4), expected);
  auto back = metadata_request::decode(unhex(expected), 4);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, MetadataV0EmptyTopicsMatchesKafkaPython) {
  // MetadataRequest[0](topics=[]): in v0 an empty list means all topics.
  metadata_request m;
  EXPECT_EQ(encode_hex(m, 0), "00000000");
}

TEST(WireCodecKafka, ListOffsetsV1RequestMatchesKafkaPython) {
  // OffsetRequest[1](replica_id=-1, topics=[("t", [(3, -2)])])
  const char* expected = "ffffffff000000010001740000000100000003fffffffffffffffe";
  list_offsets_request m;
  m.replica_id = -1;
  auto& t = m.topics.emplace_back();
  t.name = "t";
  auto& p = t.partitions.emplace_back();
  p.partition_index = 3;
  p.timestamp = -2;
  EXPECT_EQ(encode_hex(m, 1), expected);
  auto back = list_offsets_request::decode(unhex(expected), 1);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, CreateTopicsV3RequestMatchesKafkaPython) {
  // CreateTopicsRequest[3](create_topic_requests=[("t", 2, 1, [(0, [1, 2])], [("k", None)])],
  //                        timeout=1000, validate_only=True)
  const char* expected =
      "0000000100017400000002000100000001000000000000000200000001000000020000000100016bffff000003e8"
      "01";
  create_topics_request m;
  auto& t = m.topics.emplace_back();
  t.name = "t";
  t.num_partitions = 2;
  t.replication_factor = 1;
  t.assignments.push_back({0, {1, 2}});
  auto& c = t.configs.emplace_back();
  c.name = "k";
  c.value.reset();
  m.timeout_ms = 1000;
  m.validate_only = true;
  EXPECT_EQ(encode_hex(m, 3), expected);
  auto back = create_topics_request::decode(unhex(expected), 3);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
}

TEST(WireCodecKafka, RequestHeaderV1AndV2) {
  // v1 (Produce v3): key 0, version 3, correlation 7, client "ab"; the body follows.
  auto v1 = unhex(
      "0000"
      "0003"
      "00000007"
      "00026162"
      "ff");
  auto h1 = decode_request_header(v1);
  ASSERT_TRUE(h1);
  EXPECT_EQ(h1->api_key, 0);
  EXPECT_EQ(h1->api_version, 3);
  EXPECT_EQ(h1->correlation_id, 7);
  EXPECT_EQ(h1->client_id, "ab");
  EXPECT_EQ(h1->body_offset, 12u);
  // v2 (Produce v9): null client id, then a tagged field the header skips.
  auto v2 = unhex(
      "0000"
      "0009"
      "00000008"
      "ffff"
      "01"
      "05"
      "01"
      "aa"
      "ff");
  auto h2 = decode_request_header(v2);
  ASSERT_TRUE(h2);
  EXPECT_FALSE(h2->client_id.has_value());
  EXPECT_EQ(h2->body_offset, 14u);
  // Truncated tags fail.
  auto bad = unhex(
      "0000"
      "0009"
      "00000008"
      "ffff"
      "01"
      "05"
      "09"
      "aa");
  EXPECT_EQ(decode_request_header(bad).error(), protocol_errc::malformed);
}

// ---------------------------------------------------------------------------------------
// The request fuzzer's seeds (tests/fuzz/corpus/request, made by kafka-python and
// tests/fuzz/make_request_seeds.py) are valid requests: each decodes and re-encodes.

template <typename Request>
bool decodes_as(int16_t key, std::span<const std::byte> body, int16_t version, std::string& error) {
  if (key != Request::api_key) {
    return false;
  }
  auto m = Request::decode(body, version);
  if (!m) {
    error = m.error().message();
  }
  return true;
}

template <typename... Requests>
bool decode_seed(int16_t key, std::span<const std::byte> body, int16_t version,
                 std::string& error) {
  return (decodes_as<Requests>(key, body, version, error) || ...);
}

TEST(WireCodecKafka, EveryFuzzSeedDecodes) {
  auto dir =
      std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "fuzz" / "corpus" / "request";
  if (!std::filesystem::is_directory(dir)) {
    GTEST_SKIP() << "no seed corpus at " << dir;
  }
  size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto frame = std::as_bytes(std::span(data));
    auto name = entry.path().filename().string();
    auto h = decode_request_header(frame);
    ASSERT_TRUE(h) << name;
    ASSERT_NE(find_api_schema(h->api_key), nullptr) << name;
    std::string error;
    bool known =
        decode_seed<produce_request, fetch_request, list_offsets_request, metadata_request,
                    find_coordinator_request, api_versions_request, create_topics_request,
                    delete_topics_request, delete_records_request, init_producer_id_request,
                    describe_configs_request, alter_configs_request, create_partitions_request,
                    incremental_alter_configs_request, describe_cluster_request,
                    describe_log_dirs_request>(h->api_key, frame.subspan(h->body_offset),
                                               h->api_version, error);
    EXPECT_TRUE(known) << name << ": add its API to this test";
    EXPECT_EQ(error, "") << name;
    ++seeds;
  }
  EXPECT_GT(seeds, 0u);
}

}  // namespace
}  // namespace brook::protocol
