#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include "base/big_endian.h"

namespace brook::protocol {

std::string_view compression_name(compression c) {
  switch (c) {
    case compression::none:
      return "none";
    case compression::gzip:
      return "gzip";
    case compression::snappy:
      return "snappy";
    case compression::lz4:
      return "lz4";
    case compression::zstd:
      return "zstd";
  }
  return "unknown";
}

namespace {
class compression_category_impl : public std::error_category {
 public:
  const char* name() const noexcept override { return "compression"; }
  std::string message(int e) const override {
    switch (static_cast<compression_errc>(e)) {
      case compression_errc::corrupt:
        return "compressed data corrupt or truncated";
      case compression_errc::too_large:
        return "decompressed data larger than the limit";
      case compression_errc::unsupported:
        return "compression codec unknown";
      case compression_errc::library_error:
        return "compression library failed";
    }
    return "compression error";
  }
};
}  // namespace

const std::error_category& compression_category() {
  static const compression_category_impl c;
  return c;
}
std::error_code make_error_code(compression_errc e) {
  return {static_cast<int>(e), compression_category()};
}

namespace {

// The decompressed bytes so far. Grows geometrically, with an exact reserve() each time so
// that its capacity (the memory really allocated) never passes `limit`.
class bounded_output {
 public:
  bounded_output(size_t limit, size_t first_size) : _limit(limit), _first_size(first_size) {}

  // Free space to decompress into, grown when there is none; empty at the limit.
  std::span<std::byte> space() {
    if (_used == _buf.size() && _buf.size() < _limit) {
      size_t want = _buf.empty() ? _first_size : _buf.size() * 2;
      resize(std::min(_limit, std::max(want, _used + 1)));
    }
    return std::span(_buf).subspan(_used);
  }

  // Exactly `n` more bytes; empty when that would pass the limit.
  std::span<std::byte> extend(size_t n) {
    if (n > _limit - _used) {
      return {};
    }
    if (_used + n > _buf.size()) {
      resize(std::min(_limit, std::max(_buf.size() * 2, _used + n)));
    }
    return std::span(_buf).subspan(_used, n);
  }

  // Marks `n` bytes of the last space() or extend() as written.
  void commit(size_t n) { _used += n; }

  bool fits(size_t n) const { return n <= _limit - _used; }

  std::vector<std::byte> take() && {
    _buf.resize(_used);
    return std::move(_buf);
  }

 private:
  void resize(size_t n) {
    _buf.reserve(n);
    _buf.resize(n);
  }

  std::vector<std::byte> _buf;
  size_t _used = 0;
  size_t _limit;
  size_t _first_size;
};

// The first allocation of a streaming decoder: a guess from the input size, at least 64 KiB.
size_t first_output_size(size_t input_size) {
  constexpr size_t floor = 64 * 1024;
  return input_size > SIZE_MAX / 4 ? SIZE_MAX : std::max(floor, input_size * 4);
}

// Where a streaming decoder writes next: free space of `out`, or, once `out` is at its
// limit, one probe byte. A decoder that still produces a byte into the probe has more
// output than the limit allows.
struct output_window {
  std::span<std::byte> span;
  bool probing = false;
};
output_window next_window(bounded_output& out, std::byte& probe) {
  auto s = out.space();
  if (s.empty()) {
    return {std::span(&probe, 1), true};
  }
  return {s, false};
}

const char* chars(const std::byte* p) {
  return reinterpret_cast<const char*>(p);
}
char* chars(std::byte* p) {
  return reinterpret_cast<char*>(p);
}

// --- gzip ---------------------------------------------------------------------------

constexpr int gzip_window_bits = 15 + 16;  // deflate window 32 KiB, gzip wrapper
constexpr int auto_window_bits = 15 + 32;  // inflate: gzip or zlib header, detected

result<std::vector<std::byte>> gzip_compress(std::span<const std::byte> in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return compression_errc::library_error;
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
  std::vector<std::byte> out(deflateBound(&z, in.size()));
  size_t in_pos = 0;
  size_t out_pos = 0;
  for (;;) {
    // zlib counts in uInt: feed and drain at most 4 GiB - 1 at a time.
    size_t in_chunk = std::min<size_t>(in.size() - in_pos, UINT_MAX);
    size_t out_chunk = std::min<size_t>(out.size() - out_pos, UINT_MAX);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data() + in_pos));
    z.avail_in = static_cast<uInt>(in_chunk);
    z.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
    z.avail_out = static_cast<uInt>(out_chunk);
    bool last = in_pos + in_chunk == in.size();
    int rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
    in_pos += in_chunk - z.avail_in;
    out_pos += out_chunk - z.avail_out;
    if (rc == Z_STREAM_END) {
      break;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return compression_errc::library_error;
    }
    if (out_pos == out.size()) {
      out.resize(out.size() + out.size() / 2 + 64);  // deflateBound makes this unreachable
    }
  }
  out.resize(out_pos);
  return out;
}

result<std::vector<std::byte>> gzip_decompress(std::span<const std::byte> in, size_t max_output) {
  z_stream z{};
  if (inflateInit2(&z, auto_window_bits) != Z_OK) {
    return compression_errc::library_error;
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
  bounded_output out(max_output, first_output_size(in.size()));
  size_t in_pos = 0;
  std::byte probe{};
  for (;;) {
    size_t in_chunk = std::min<size_t>(in.size() - in_pos, UINT_MAX);
    auto w = next_window(out, probe);
    size_t out_chunk = std::min<size_t>(w.span.size(), UINT_MAX);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data() + in_pos));
    z.avail_in = static_cast<uInt>(in_chunk);
    z.next_out = reinterpret_cast<Bytef*>(w.span.data());
    z.avail_out = static_cast<uInt>(out_chunk);
    int rc = inflate(&z, Z_NO_FLUSH);
    in_pos += in_chunk - z.avail_in;
    size_t produced = out_chunk - z.avail_out;
    if (w.probing && produced > 0) {
      return compression_errc::too_large;
    }
    if (!w.probing) {
      out.commit(produced);
    }
    if (rc == Z_STREAM_END) {
      if (in_pos == in.size()) {
        break;
      }
      // Another gzip member may follow (gzip allows concatenation); anything else is junk.
      auto rest = in.subspan(in_pos);
      if (rest.size() < 2 || rest[0] != std::byte{0x1f} || rest[1] != std::byte{0x8b}) {
        return compression_errc::corrupt;
      }
      inflateReset(&z);
      continue;
    }
    if (rc == Z_MEM_ERROR) {
      return compression_errc::library_error;
    }
    // Z_BUF_ERROR: no progress possible, i.e. the input ended inside the stream (there is
    // always output space). Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR: not a gzip stream.
    if (rc != Z_OK) {
      return compression_errc::corrupt;
    }
  }
  return std::move(out).take();
}

// --- snappy -------------------------------------------------------------------------

bool has_xerial_magic(std::span<const std::byte> in) {
  return in.size() >= xerial::magic.size() &&
         std::memcmp(in.data(), xerial::magic.data(), xerial::magic.size()) == 0;
}

result<std::vector<std::byte>> snappy_compress(std::span<const std::byte> in) {
  size_t blocks = (in.size() + xerial::block_size - 1) / xerial::block_size;
  std::vector<std::byte> out(xerial::header_size +
                             blocks * (4 + snappy::MaxCompressedLength(xerial::block_size)));
  std::memcpy(out.data(), xerial::magic.data(), xerial::magic.size());
  be::store<int32_t>(out.data() + 8, xerial::version);
  be::store<int32_t>(out.data() + 12, xerial::compatible_version);
  size_t pos = xerial::header_size;
  for (size_t at = 0; at < in.size(); at += xerial::block_size) {
    size_t n = std::min(xerial::block_size, in.size() - at);
    size_t written = 0;
    snappy::RawCompress(chars(in.data() + at), n, chars(out.data() + pos + 4), &written);
    be::store<int32_t>(out.data() + pos, static_cast<int32_t>(written));
    pos += 4 + written;
  }
  out.resize(pos);
  return out;
}

// One raw snappy block (its own length varint first) appended to `out`.
status snappy_block(std::span<const std::byte> block, bounded_output& out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(chars(block.data()), block.size(), &n)) {
    return compression_errc::corrupt;
  }
  if (!out.fits(n)) {
    return compression_errc::too_large;
  }
  auto dst = out.extend(n);
  // RawUncompress checks bounds, and fails on bytes after the block's last element.
  if (n > 0 && !snappy::RawUncompress(chars(block.data()), block.size(), chars(dst.data()))) {
    return compression_errc::corrupt;
  }
  if (n == 0 && !snappy::IsValidCompressedBuffer(chars(block.data()), block.size())) {
    return compression_errc::corrupt;
  }
  out.commit(n);
  return {};
}

result<std::vector<std::byte>> snappy_decompress(std::span<const std::byte> in, size_t max_output) {
  if (!has_xerial_magic(in)) {
    bounded_output out(max_output, 0);
    if (auto s = snappy_block(in, out); !s) {
      return s.error();
    }
    return std::move(out).take();
  }
  if (in.size() < xerial::header_size) {
    return compression_errc::corrupt;
  }
  // snappy-java refuses a writer version below 1; a compatible version above 1 would ask
  // for a reader newer than the format we know.
  auto version = be::load<int32_t>(in.data() + 8);
  auto compatible = be::load<int32_t>(in.data() + 12);
  if (version < 1 || compatible > xerial::compatible_version) {
    return compression_errc::corrupt;
  }
  bounded_output out(max_output, 0);
  auto rest = in.subspan(xerial::header_size);
  while (!rest.empty()) {
    if (rest.size() < 4) {
      return compression_errc::corrupt;
    }
    auto length = be::load<int32_t>(rest.data());
    rest = rest.subspan(4);
    if (length <= 0 || static_cast<size_t>(length) > rest.size()) {
      return compression_errc::corrupt;
    }
    if (auto s = snappy_block(rest.first(static_cast<size_t>(length)), out); !s) {
      return s.error();
    }
    rest = rest.subspan(static_cast<size_t>(length));
  }
  return std::move(out).take();
}

// --- lz4 ----------------------------------------------------------------------------

result<std::vector<std::byte>> lz4_compress(std::span<const std::byte> in) {
  // What the Java client writes for magic 2: 64 KiB independent blocks, no block or content
  // checksum, no content size, and a correct header checksum (lz4frame always writes one).
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  std::vector<std::byte> out(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) {
    return compression_errc::library_error;
  }
  out.resize(n);
  return out;
}

result<std::vector<std::byte>> lz4_decompress(std::span<const std::byte> in, size_t max_output) {
  if (in.empty()) {
    return compression_errc::corrupt;
  }
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return compression_errc::library_error;
  }
  std::unique_ptr<LZ4F_dctx, size_t (*)(LZ4F_dctx*)> dctx(raw, LZ4F_freeDecompressionContext);
  bounded_output out(max_output, first_output_size(in.size()));
  size_t in_pos = 0;
  size_t expect = 1;  // LZ4F_decompress's hint: 0 once a frame is decoded and flushed
  std::byte probe{};
  while (in_pos < in.size() || expect != 0) {
    auto w = next_window(out, probe);
    size_t dst_size = w.span.size();
    size_t src_size = in.size() - in_pos;
    expect = LZ4F_decompress(dctx.get(), w.span.data(), &dst_size, in.data() + in_pos, &src_size,
                             nullptr);
    if (LZ4F_isError(expect)) {
      // Bad magic, header checksum, block size, block or content checksum, or garbage.
      return compression_errc::corrupt;
    }
    in_pos += src_size;
    if (w.probing && dst_size > 0) {
      return compression_errc::too_large;
    }
    if (!w.probing) {
      out.commit(dst_size);
    }
    if (src_size == 0 && dst_size == 0) {
      return compression_errc::corrupt;  // the input ended inside a frame
    }
  }
  return std::move(out).take();
}

// --- zstd ---------------------------------------------------------------------------

// zstd's own limit on the window a frame may ask for (128 MiB): set explicitly so the
// decoder's buffer is bounded whatever the library's default becomes.
constexpr int zstd_window_log_max = 27;

result<std::vector<std::byte>> zstd_compress(std::span<const std::byte> in) {
  std::vector<std::byte> out(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError(n)) {
    return compression_errc::library_error;
  }
  out.resize(n);
  return out;
}

result<std::vector<std::byte>> zstd_decompress(std::span<const std::byte> in, size_t max_output) {
  if (in.empty()) {
    return compression_errc::corrupt;
  }
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx ||
      ZSTD_isError(ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, zstd_window_log_max))) {
    return compression_errc::library_error;
  }
  bounded_output out(max_output, first_output_size(in.size()));
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  size_t expect = 1;  // ZSTD_decompressStream's hint: 0 once a frame is decoded and flushed
  std::byte probe{};
  while (src.pos < src.size || expect != 0) {
    auto w = next_window(out, probe);
    ZSTD_outBuffer dst{w.span.data(), w.span.size(), 0};
    size_t before = src.pos;
    expect = ZSTD_decompressStream(dctx.get(), &dst, &src);
    if (ZSTD_isError(expect)) {
      switch (ZSTD_getErrorCode(expect)) {
        case ZSTD_error_memory_allocation:
          return compression_errc::library_error;
        case ZSTD_error_frameParameter_windowTooLarge:
          return compression_errc::too_large;
        default:
          return compression_errc::corrupt;
      }
    }
    if (w.probing && dst.pos > 0) {
      return compression_errc::too_large;
    }
    if (!w.probing) {
      out.commit(dst.pos);
    }
    if (src.pos == before && dst.pos == 0) {
      return compression_errc::corrupt;  // the input ended inside a frame
    }
  }
  return std::move(out).take();
}

}  // namespace

result<std::vector<std::byte>> compress(compression codec, std::span<const std::byte> data) {
  switch (codec) {
    case compression::none:
      return std::vector<std::byte>(data.begin(), data.end());
    case compression::gzip:
      return gzip_compress(data);
    case compression::snappy:
      return snappy_compress(data);
    case compression::lz4:
      return lz4_compress(data);
    case compression::zstd:
      return zstd_compress(data);
  }
  return compression_errc::unsupported;
}

result<std::vector<std::byte>> decompress(compression codec, std::span<const std::byte> data,
                                          size_t max_output) {
  switch (codec) {
    case compression::none:
      if (data.size() > max_output) {
        return compression_errc::too_large;
      }
      return std::vector<std::byte>(data.begin(), data.end());
    case compression::gzip:
      return gzip_decompress(data, max_output);
    case compression::snappy:
      return snappy_decompress(data, max_output);
    case compression::lz4:
      return lz4_decompress(data, max_output);
    case compression::zstd:
      return zstd_decompress(data, max_output);
  }
  return compression_errc::unsupported;
}

}  // namespace brook::protocol
