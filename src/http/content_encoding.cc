#include "http/content_encoding.h"

#include <zlib.h>

#include <algorithm>
#include <memory>

#include "base/text.h"

namespace brook::http {

namespace {

constexpr int gzip_or_zlib = 15 + 32;  // inflate detects a gzip or a zlib header
constexpr int raw_deflate = -15;

// Inflates with the given window bits (gzip or zlib detected, or raw deflate).
inflated inflate_with(int window_bits, std::string_view in, size_t limit) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) {
    return {inflated::status::corrupt, {}};
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  inflated out;
  std::string chunk(64 * 1024, '\0');
  size_t pos = 0;
  for (;;) {
    const size_t feed = std::min<size_t>(in.size() - pos, 1u << 30);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    z.avail_in = static_cast<uInt>(feed);
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    pos += feed - z.avail_in;
    const size_t produced = chunk.size() - z.avail_out;
    if (out.body.size() + produced > limit) {
      return {inflated::status::too_large, {}};
    }
    out.body.append(chunk.data(), produced);
    if (rc == Z_STREAM_END) {
      if (pos == in.size()) {
        return out;
      }
      // Concatenated gzip members are one body; anything else after the end is junk.
      if (window_bits != gzip_or_zlib || in.size() - pos < 2 ||
          static_cast<unsigned char>(in[pos]) != 0x1f ||
          static_cast<unsigned char>(in[pos + 1]) != 0x8b) {
        return {inflated::status::corrupt, {}};
      }
      inflateReset(&z);
      continue;
    }
    // Z_BUF_ERROR with output room left: the input ended inside the stream.
    if (rc != Z_OK) {
      return {inflated::status::corrupt, {}};
    }
  }
}

}  // namespace

std::optional<content_encoding> parse_content_encoding(std::string_view header) {
  auto v = trim(header);
  if (v.empty() || iequals(v, "identity")) {
    return content_encoding::identity;
  }
  if (iequals(v, "gzip") || iequals(v, "x-gzip")) {
    return content_encoding::gzip;
  }
  if (iequals(v, "deflate")) {
    return content_encoding::deflate;
  }
  return std::nullopt;
}

inflated inflate_body(content_encoding coding, std::string_view body, size_t limit) {
  if (coding == content_encoding::identity) {
    if (body.size() > limit) {
      return {inflated::status::too_large, {}};
    }
    return {inflated::status::ok, std::string(body)};
  }
  auto out = inflate_with(gzip_or_zlib, body, limit);
  if (out.result == inflated::status::corrupt && coding == content_encoding::deflate) {
    return inflate_with(raw_deflate, body, limit);  // "deflate" sent without the zlib wrapper
  }
  return out;
}

}  // namespace brook::http
