#include "app/config.h"

#include <toml++/toml.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "app/server_settings.h"

namespace brook::app {
namespace {

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

std::string set_config_value(server_config& c, const std::string& key, const std::string& value) {
  const auto* setting = find_server_setting(key);
  if (setting == nullptr) {
    return "unknown setting '" + key + "'";
  }
  if (auto must = setting->parse(c, value); !must.empty()) {
    return key + ": " + must + ", got '" + value + "'";
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
  for (const auto& setting : server_settings()) {
    auto name = setting.env_name();
    if (const char* v = getenv(name.c_str())) {
      if (auto e = set_config_value(out.config, std::string(setting.key), v); !e.empty()) {
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
