// content_encoding: compressed request bodies inflated under the body limit; unknown codings
// and corrupt data refused.
#include "http/content_encoding.h"

#include <zlib.h>

#include <gtest/gtest.h>

namespace brook::http {
namespace {

// `data` compressed with zlib's deflate and the given window bits (31 gzip, 15 zlib, -15
// raw deflate).
std::string deflate_with(const std::string& data, int window_bits) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(ContentEncoding, TheCodingsBrookTakes) {
  EXPECT_EQ(parse_content_encoding(""), content_encoding::identity);
  EXPECT_EQ(parse_content_encoding("Identity"), content_encoding::identity);
  EXPECT_EQ(parse_content_encoding(" GZIP "), content_encoding::gzip);
  EXPECT_EQ(parse_content_encoding("x-gzip"), content_encoding::gzip);
  EXPECT_EQ(parse_content_encoding("deflate"), content_encoding::deflate);
  EXPECT_FALSE(parse_content_encoding("br").has_value());
  EXPECT_FALSE(parse_content_encoding("zstd").has_value());
  EXPECT_FALSE(parse_content_encoding("gzip, gzip").has_value());
}

TEST(ContentEncoding, GzipZlibAndRawDeflateInflate) {
  const std::string body = R"({"records":[{"value":"hello"}]})";
  auto gz = inflate_body(content_encoding::gzip, deflate_with(body, 31), 1024);
  EXPECT_EQ(gz.result, inflated::status::ok);
  EXPECT_EQ(gz.body, body);
  auto zlib = inflate_body(content_encoding::deflate, deflate_with(body, 15), 1024);
  EXPECT_EQ(zlib.body, body);
  auto raw = inflate_body(content_encoding::deflate, deflate_with(body, -15), 1024);
  EXPECT_EQ(raw.result, inflated::status::ok);
  EXPECT_EQ(raw.body, body);
  // Two gzip members are one body.
  auto two =
      inflate_body(content_encoding::gzip, deflate_with("ab", 31) + deflate_with("cd", 31), 1024);
  EXPECT_EQ(two.body, "abcd");
}

// A zip bomb: 64 MiB of zeros compress to about 64 KiB; refused at the limit, never
// inflated whole.
TEST(ContentEncoding, TheLimitAppliesToTheInflatedSize) {
  const std::string bomb = deflate_with(std::string(size_t{64} << 20, '\0'), 31);
  ASSERT_LT(bomb.size(), size_t{1} << 20);
  auto out = inflate_body(content_encoding::gzip, bomb, size_t{1} << 20);
  EXPECT_EQ(out.result, inflated::status::too_large);
  EXPECT_TRUE(out.body.empty());
  EXPECT_EQ(inflate_body(content_encoding::identity, std::string(2000, 'x'), 1000).result,
            inflated::status::too_large);
}

TEST(ContentEncoding, CorruptAndTruncatedDataIsRefused) {
  const std::string gz = deflate_with(std::string(10000, 'a'), 31);
  EXPECT_EQ(inflate_body(content_encoding::gzip, "not gzip at all", 1024).result,
            inflated::status::corrupt);
  EXPECT_EQ(inflate_body(content_encoding::gzip, gz.substr(0, gz.size() / 2), 1 << 20).result,
            inflated::status::corrupt);
  EXPECT_EQ(inflate_body(content_encoding::gzip, gz + "junk", 1 << 20).result,
            inflated::status::corrupt);
  EXPECT_EQ(inflate_body(content_encoding::deflate, "\x01\x02\x03", 1024).result,
            inflated::status::corrupt);
}

}  // namespace
}  // namespace brook::http
