#include "app/config.h"

#include <toml++/toml.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace brook::app {
namespace {

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

// "storage.segment_bytes" -> "BROOK_STORAGE_SEGMENT_BYTES"
std::string env_name(const std::string& key) {
  std::string out = "BROOK_";
  for (char c : key) {
    out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

// True for the addresses that mean "every interface": 0.0.0.0, ::, [::].
bool is_wildcard_address(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return v4.s_addr == htonl(INADDR_ANY);
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_UNSPECIFIED(&v6);
}

}  // namespace

const std::vector<std::string>& config_keys() {
  static const std::vector<std::string> keys = {
      "data_dir",
      "log_level",
      "storage.durability",
      "storage.flush_interval_ms",
      "storage.segment_bytes",
      "storage.segment_ms",
      "storage.retention_bytes",
      "storage.retention_ms",
      "storage.retention_check_interval_ms",
      "storage.max_message_bytes",
      "storage.index_interval_bytes",
      "kafka.host",
      "kafka.port",
      "kafka.advertised_host",
      "kafka.advertised_port",
      "kafka.max_request_bytes",
      "kafka.threads",
      "kafka.auto_create_topics",
      "kafka.default_partitions",
      "groups.initial_rebalance_delay_ms",
      "groups.min_session_timeout_ms",
      "groups.max_session_timeout_ms",
      "groups.max_size",
      "groups.offsets_retention_minutes",
      "groups.offsets_retention_check_interval_ms",
      "groups.offset_metadata_max_bytes",
      "http.enabled",
      "http.host",
      "http.port",
      "http.threads",
      "http.max_body_bytes",
      "http.request_timeout_ms",
      "http.idle_timeout_ms",
      "http.max_connections",
      "http.consumer_idle_timeout_ms",
      "http.max_consumer_instances",
  };
  return keys;
}

std::string set_config_value(server_config& c, const std::string& key, const std::string& value) {
  auto integer = [&](int64_t min, int64_t max) -> std::optional<int64_t> {
    auto v = parse_int(value);
    if (!v || *v < min || *v > max) {
      return std::nullopt;
    }
    return v;
  };
  auto bad = [&](const std::string& what) { return key + ": " + what + ", got '" + value + "'"; };
  constexpr int64_t max_ms = int64_t{1} << 50;
  if (key == "data_dir") {
    if (value.empty()) {
      return bad("must not be empty");
    }
    c.data_dir = value;
  } else if (key == "log_level") {
    static const std::vector<std::string> levels = {"trace", "debug", "info",
                                                    "warn",  "error", "off"};
    if (std::find(levels.begin(), levels.end(), value) == levels.end()) {
      return bad("must be one of trace, debug, info, warn, error, off");
    }
    c.log_level = value;
  } else if (key == "storage.durability") {
    if (value == "sync") {
      c.storage.durability = storage::durability::sync;
    } else if (value == "interval") {
      c.storage.durability = storage::durability::interval;
    } else {
      return bad("must be 'sync' or 'interval'");
    }
  } else if (key == "storage.flush_interval_ms") {
    auto v = integer(1, max_ms);
    if (!v) {
      return bad("must be a whole number of milliseconds, at least 1");
    }
    c.storage.flush_interval = std::chrono::milliseconds(*v);
  } else if (key == "storage.segment_bytes") {
    auto v = integer(1024, (int64_t{1} << 31) - 1);
    if (!v) {
      return bad("must be between 1024 and 2147483647");
    }
    c.storage.segment_bytes = static_cast<uint64_t>(*v);
  } else if (key == "storage.segment_ms") {
    auto v = integer(1, max_ms);
    if (!v) {
      return bad("must be a whole number of milliseconds, at least 1");
    }
    c.storage.segment_ms = std::chrono::milliseconds(*v);
  } else if (key == "storage.retention_bytes") {
    auto v = integer(-1, INT64_MAX);
    if (!v) {
      return bad("must be -1 (no limit) or a number of bytes");
    }
    c.storage.retention_bytes = *v;
  } else if (key == "storage.retention_ms") {
    auto v = integer(-1, max_ms);
    if (!v) {
      return bad("must be -1 (no limit) or a number of milliseconds");
    }
    c.storage.retention_ms = std::chrono::milliseconds(*v);
  } else if (key == "kafka.host") {
    if (value.empty()) {
      return bad("must be an IP address");
    }
    c.kafka.host = value;
  } else if (key == "kafka.port") {
    auto v = integer(0, 65535);
    if (!v) {
      return bad("must be a port number, 0-65535 (0: any free port)");
    }
    c.kafka.port = static_cast<uint16_t>(*v);
  } else if (key == "kafka.advertised_host") {
    c.kafka.advertised_host = value;
  } else if (key == "kafka.advertised_port") {
    auto v = integer(0, 65535);
    if (!v) {
      return bad("must be a port number, 0-65535 (0: the listening port)");
    }
    c.kafka.advertised_port = static_cast<uint16_t>(*v);
  } else if (key == "kafka.max_request_bytes") {
    auto v = integer(1024, int64_t{1} << 31);
    if (!v) {
      return bad("must be a number of bytes, 1024 to 2147483648");
    }
    c.kafka.max_request_bytes = static_cast<size_t>(*v);
  } else if (key == "kafka.threads") {
    auto v = integer(0, 1024);
    if (!v) {
      return bad("must be a number of threads, 0 (one per core) to 1024");
    }
    c.kafka.threads = static_cast<int>(*v);
  } else if (key == "kafka.auto_create_topics") {
    if (value != "true" && value != "false") {
      return bad("must be true or false");
    }
    c.kafka.auto_create_topics = value == "true";
  } else if (key == "kafka.default_partitions") {
    auto v = integer(1, 100000);
    if (!v) {
      return bad("must be a number of partitions, 1 to 100000");
    }
    c.kafka.default_partitions = static_cast<int32_t>(*v);
  } else if (key == "storage.retention_check_interval_ms") {
    auto v = integer(1, max_ms);
    if (!v) {
      return bad("must be a whole number of milliseconds, at least 1");
    }
    c.retention_check_interval = std::chrono::milliseconds(*v);
  } else if (key == "storage.max_message_bytes") {
    auto v = integer(64, (int64_t{1} << 30));
    if (!v) {
      return bad("must be between 64 and 1073741824");
    }
    c.storage.max_message_bytes = static_cast<uint32_t>(*v);
  } else if (key == "storage.index_interval_bytes") {
    auto v = integer(1, (int64_t{1} << 30));
    if (!v) {
      return bad("must be between 1 and 1073741824");
    }
    c.storage.index_interval_bytes = static_cast<uint32_t>(*v);
  } else if (key == "groups.initial_rebalance_delay_ms") {
    auto v = integer(0, 3'600'000);
    if (!v) {
      return bad("must be between 0 and 3600000 milliseconds");
    }
    c.kafka.groups.initial_rebalance_delay_ms = *v;
  } else if (key == "groups.min_session_timeout_ms" || key == "groups.max_session_timeout_ms") {
    auto v = integer(1, INT32_MAX);
    if (!v) {
      return bad("must be a number of milliseconds, 1 to 2147483647");
    }
    (key == "groups.min_session_timeout_ms" ? c.kafka.groups.min_session_timeout_ms
                                            : c.kafka.groups.max_session_timeout_ms) =
        static_cast<int32_t>(*v);
  } else if (key == "groups.max_size") {
    auto v = integer(0, INT32_MAX);
    if (!v) {
      return bad("must be 0 (no limit) or a number of members");
    }
    c.kafka.groups.max_size = static_cast<int32_t>(*v);
  } else if (key == "groups.offsets_retention_minutes") {
    auto v = integer(1, max_ms / 60'000);
    if (!v) {
      return bad("must be a number of minutes, at least 1");
    }
    c.kafka.groups.offsets_retention_ms = *v * 60'000;
  } else if (key == "groups.offsets_retention_check_interval_ms") {
    auto v = integer(1, max_ms);
    if (!v) {
      return bad("must be a whole number of milliseconds, at least 1");
    }
    c.kafka.groups.offsets_retention_check_interval_ms = *v;
  } else if (key == "groups.offset_metadata_max_bytes") {
    auto v = integer(0, INT32_MAX);
    if (!v) {
      return bad("must be a number of bytes, 0 to 2147483647");
    }
    c.kafka.groups.offset_metadata_max_bytes = static_cast<int32_t>(*v);
  } else if (key == "http.enabled") {
    if (value != "true" && value != "false") {
      return bad("must be true or false");
    }
    c.http.enabled = value == "true";
  } else if (key == "http.host") {
    if (value.empty()) {
      return bad("must be an IP address to listen on");
    }
    c.http.host = value;
  } else if (key == "http.port") {
    auto v = integer(0, 65535);
    if (!v) {
      return bad("must be a port number, 0 to 65535");
    }
    c.http.port = static_cast<uint16_t>(*v);
  } else if (key == "http.threads") {
    auto v = integer(0, 1024);
    if (!v) {
      return bad("must be 0 (one per core) to 1024");
    }
    c.http.threads = static_cast<int>(*v);
  } else if (key == "http.max_body_bytes") {
    auto v = integer(1024, int64_t{1} << 31);
    if (!v) {
      return bad("must be between 1024 and 2147483648");
    }
    c.http.max_body_bytes = static_cast<size_t>(*v);
  } else if (key == "http.request_timeout_ms" || key == "http.idle_timeout_ms" ||
             key == "http.consumer_idle_timeout_ms") {
    auto v = integer(1, 86'400'000);
    if (!v) {
      return bad("must be a number of milliseconds, 1 to 86400000");
    }
    (key == "http.request_timeout_ms" ? c.http.request_timeout
     : key == "http.idle_timeout_ms"  ? c.http.idle_timeout
                                      : c.http.consumer_idle_timeout) =
        std::chrono::milliseconds(*v);
  } else if (key == "http.max_connections" || key == "http.max_consumer_instances") {
    auto v = integer(1, 1'000'000);
    if (!v) {
      return bad("must be between 1 and 1000000");
    }
    (key == "http.max_connections" ? c.http.max_connections : c.http.max_consumer_instances) =
        static_cast<size_t>(*v);
  } else {
    return "unknown setting '" + key + "'";
  }
  return {};
}

std::string check_server_config(const server_config& c) {
  if (auto st = c.storage.validate(); !st) {
    return st.error().message();
  }
  const auto& k = c.kafka;
  if (!k.advertised_host.empty() && is_wildcard_address(k.advertised_host)) {
    return "kafka.advertised_host " + k.advertised_host +
           " is not an address clients can connect to: set --advertised-host "
           "(kafka.advertised_host) to the host name or address clients should use";
  }
  if (k.advertised_host.empty() && is_wildcard_address(k.host)) {
    return "kafka.host " + k.host +
           " listens on every interface, but clients cannot connect to it and Brook tells "
           "clients where to connect: set --advertised-host (kafka.advertised_host) to the "
           "host name or address clients should use";
  }
  return {};
}

config_outcome load_config(const std::optional<std::filesystem::path>& path,
                           const std::function<const char*(const char*)>& getenv) {
  config_outcome out;
  if (path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec)) {
      out.error = path->string() + ": " + (ec ? ec.message() : std::string("not a regular file"));
      return out;
    }
    toml::table parsed;
    try {
      parsed = toml::parse_file(path->string());
    } catch (const toml::parse_error& err) {
      out.error = path->string() + ":" + std::to_string(err.source().begin.line) + ": " +
                  std::string(err.description());
      return out;
    }
    std::string failure;
    auto visit = [&](auto&& self, const toml::table& table, const std::string& prefix) -> void {
      for (const auto& [k, node] : table) {
        if (!failure.empty()) {
          return;
        }
        std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (const auto* sub = node.as_table()) {
          self(self, *sub, key);
          continue;
        }
        std::string text;
        if (auto s = node.template value<std::string>(); s && node.is_string()) {
          text = *s;
        } else if (auto i = node.template value<int64_t>(); i && node.is_integer()) {
          text = std::to_string(*i);
        } else if (auto b = node.template value<bool>(); b && node.is_boolean()) {
          text = *b ? "true" : "false";
        } else {
          failure = path->string() + ": " + key + ": expected a string, an integer or a boolean";
          return;
        }
        if (auto e = set_config_value(out.config, key, text); !e.empty()) {
          failure = path->string() + ": " + e;
        }
      }
    };
    visit(visit, parsed, "");
    if (!failure.empty()) {
      out.error = failure;
      return out;
    }
  }
  for (const auto& key : config_keys()) {
    auto name = env_name(key);
    if (const char* v = getenv(name.c_str())) {
      if (auto e = set_config_value(out.config, key, v); !e.empty()) {
        out.error = "environment " + name + ": " + e;
        return out;
      }
    }
  }
  if (auto st = out.config.storage.validate(); !st) {
    out.error = "storage settings: " + st.error().message();
  }
  return out;
}

}  // namespace brook::app
