#include "base/base64.h"

#include <array>
#include <cstdint>

namespace brook {

namespace {

constexpr char standard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char url_safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<int8_t, 256> make_table(const char* alphabet) {
  std::array<int8_t, 256> t{};
  for (auto& v : t) {
    v = -1;
  }
  for (int i = 0; i < 64; ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}
constexpr auto standard_table = make_table(standard);
constexpr auto url_safe_table = make_table(url_safe);

std::string encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.push_back(alphabet[n >> 6 & 63]);
    out.push_back(alphabet[n & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = at(i) << 16;
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    if (pad) {
      out.append("==");
    }
  } else if (rest == 2) {
    uint32_t n = at(i) << 16 | at(i + 1) << 8;
    out.push_back(alphabet[n >> 18 & 63]);
    out.push_back(alphabet[n >> 12 & 63]);
    out.push_back(alphabet[n >> 6 & 63]);
    if (pad) {
      out.push_back('=');
    }
  }
  return out;
}

// `text` has no padding left.
std::optional<std::string> decode(std::string_view text, const std::array<int8_t, 256>& table) {
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return std::nullopt;  // non-canonical: trailing bits set
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, standard, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 == 0 && !text.empty()) {
    if (text.back() == '=') {
      text.remove_suffix(1);
      if (text.back() == '=') {
        text.remove_suffix(1);
      }
    }
  }
  return decode(text, standard_table);
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, url_safe, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode(text, url_safe_table);
}

}  // namespace brook
