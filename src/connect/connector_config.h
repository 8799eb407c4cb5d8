// connector_config: a connector's configuration as Kafka Connect has it, a flat map of
// string keys to string values ("topics", "file", "errors.tolerance", ...), read with
// typed getters that collect what is wrong instead of stopping at the first problem, so
// a refused configuration names every bad key at once (as Connect's validation does).
//
//   connector_config c(values);
//   auto size = c.integer("rotate.size.bytes", 0, 0, INT64_MAX);
//   if (!c.errors().empty()) { ... }
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace brook::connect {

class connector_config {
 public:
  using values = std::map<std::string, std::string>;

  connector_config() = default;
  explicit connector_config(values v) : _values(std::move(v)) {}

  const values& all() const { return _values; }
  // The value of `key` as given (trimmed); nullopt when absent or blank.
  std::optional<std::string> get(std::string_view key) const;

  // The getters below record an error (and answer the default) for a bad value.
  std::string string(std::string_view key, std::string_view fallback = {});
  // Records an error when absent or blank.
  std::string required(std::string_view key);
  int64_t integer(std::string_view key, int64_t fallback, int64_t min, int64_t max);
  bool boolean(std::string_view key, bool fallback);
  // One of `allowed` (ASCII case ignored; answered as written in `allowed`).
  std::string choice(std::string_view key, std::string_view fallback,
                     std::initializer_list<std::string_view> allowed);
  // A comma-separated list (elements trimmed, empty ones dropped).
  std::vector<std::string> list(std::string_view key) const;

  void add_error(std::string message) { _errors.push_back(std::move(message)); }
  const std::vector<std::string>& errors() const { return _errors; }

 private:
  values _values;
  std::vector<std::string> _errors;
};

// Whether `key` names a credential (a password, a secret key, a token): such values are
// never shown back (masked_values) nor logged.
bool is_sensitive_key(std::string_view key);

// What a credential's value is shown as.
inline constexpr std::string_view masked_value = "[hidden]";

// `v` with every credential's value replaced by masked_value.
connector_config::values masked_values(const connector_config::values& v);

// `next` with each credential given as masked_value taken from `previous` (so that a
// configuration read back, edited and sent again keeps its secrets).
connector_config::values unmask_values(connector_config::values next,
                                       const connector_config::values& previous);

}  // namespace brook::connect
