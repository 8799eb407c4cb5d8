#include "connect/connector_config.h"

#include <charconv>

#include <fmt/format.h>

#include "base/text.h"

namespace brook::connect {

std::optional<std::string> connector_config::get(std::string_view key) const {
  auto it = _values.find(std::string(key));
  if (it == _values.end()) {
    return std::nullopt;
  }
  auto v = trim(it->second);
  if (v.empty()) {
    return std::nullopt;
  }
  return std::string(v);
}

std::string connector_config::string(std::string_view key, std::string_view fallback) {
  return get(key).value_or(std::string(fallback));
}

std::string connector_config::required(std::string_view key) {
  auto v = get(key);
  if (!v) {
    add_error(
        fmt::format("Missing required configuration \"{}\" which has no default value.", key));
    return {};
  }
  return *v;
}

int64_t connector_config::integer(std::string_view key, int64_t fallback, int64_t min,
                                  int64_t max) {
  auto v = get(key);
  if (!v) {
    return fallback;
  }
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) {
    add_error(fmt::format("Invalid value {} for configuration {}: not a number", *v, key));
    return fallback;
  }
  if (n < min || n > max) {
    add_error(fmt::format("Invalid value {} for configuration {}: must be in [{}, {}]", *v, key,
                          min, max));
    return fallback;
  }
  return n;
}

bool connector_config::boolean(std::string_view key, bool fallback) {
  auto v = get(key);
  if (!v) {
    return fallback;
  }
  if (iequals(*v, "true")) {
    return true;
  }
  if (iequals(*v, "false")) {
    return false;
  }
  add_error(fmt::format("Invalid value {} for configuration {}: must be true or false", *v, key));
  return fallback;
}

std::string connector_config::choice(std::string_view key, std::string_view fallback,
                                     std::initializer_list<std::string_view> allowed) {
  auto v = get(key);
  if (!v) {
    return std::string(fallback);
  }
  for (auto a : allowed) {
    if (iequals(*v, a)) {
      return std::string(a);
    }
  }
  add_error(fmt::format("Invalid value {} for configuration {}: must be one of {}", *v, key,
                        fmt::join(allowed, ", ")));
  return std::string(fallback);
}

std::vector<std::string> connector_config::list(std::string_view key) const {
  auto v = get(key);
  return v ? split_list(*v) : std::vector<std::string>{};
}

bool is_sensitive_key(std::string_view key) {
  const std::string k = lower(key);
  for (std::string_view word : {"password", "secret", "credential", "token", "private.key"}) {
    if (k.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

connector_config::values masked_values(const connector_config::values& v) {
  auto out = v;
  for (auto& [key, value] : out) {
    if (is_sensitive_key(key)) {
      value = std::string(masked_value);
    }
  }
  return out;
}

connector_config::values unmask_values(connector_config::values next,
                                       const connector_config::values& previous) {
  for (auto& [key, value] : next) {
    if (value == masked_value && is_sensitive_key(key)) {
      if (auto it = previous.find(key); it != previous.end()) {
        value = it->second;
      }
    }
  }
  return next;
}

}  // namespace brook::connect
