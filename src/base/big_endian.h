// Reading and writing big-endian integers at a byte position: the byte order of the Kafka
// protocol and of every Brook on-disk format.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace brook::be {

template <typename U>
constexpr U byteswap(U u) {
  if constexpr (sizeof(U) == 2) {
    return __builtin_bswap16(u);
  } else if constexpr (sizeof(U) == 4) {
    return __builtin_bswap32(u);
  } else {
    static_assert(sizeof(U) == 8);
    return __builtin_bswap64(u);
  }
}

template <typename T>
requires std::is_integral_v<T> T load(const std::byte* p) {
  std::make_unsigned_t<T> u;
  std::memcpy(&u, p, sizeof(u));
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
    u = byteswap(u);
  }
  return static_cast<T>(u);
}

template <typename T>
requires std::is_integral_v<T>
void store(std::byte* p, T value) {
  auto u = static_cast<std::make_unsigned_t<T>>(value);
  if constexpr (std::endian::native == std::endian::little && sizeof(T) > 1) {
    u = byteswap(u);
  }
  std::memcpy(p, &u, sizeof(u));
}

}  // namespace brook::be
