#include "app/config.h"

#include <algorithm>

#include <toml++/toml.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "app/server_settings.h"
#include "protocol/topic_name.h"

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

done set_config_value(server_config& c, const std::string& key, const std::string& value) {
  const auto* setting = find_server_setting(key);
  if (setting == nullptr) {
    return failure("unknown setting '" + key + "'");
  }
  if (auto parsed = setting->parse(c, value); !parsed) {
    return failure(key + ": " + parsed.error() + ", got '" + value + "'");
  }
  return {};
}

// Loopback addresses: 127.0.0.0/8 and ::1.
bool is_loopback_address(const std::string& host) {
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

outcome<std::vector<broker::listener_config>> listeners_of(const server_config& c) {
  if (c.listeners.empty()) {
    if (!c.advertised_listeners.empty()) {
      return failure("kafka.advertised_listeners is set but kafka.listeners is not");
    }
    broker::listener_config only;
    only.host = c.kafka.host;
    only.port = c.kafka.port;
    return std::vector<broker::listener_config>{only};
  }
  auto parsed = broker::parse_listeners(c.listeners, c.listener_security_protocol_map,
                                        c.advertised_listeners);
  if (!parsed) {
    return failure("kafka.listeners: " + parsed.error());
  }
  if (parsed->empty()) {
    return failure("kafka.listeners: no listener");
  }
  return std::move(*parsed);
}

done check_server_config(const server_config& c) {
  if (auto st = c.storage.validate(); !st) {
    return failure(st.error().message());
  }
  const auto& k = c.kafka;
  if (k.default_partitions > k.max_partitions_per_topic) {
    return failure("kafka.default_partitions (" + std::to_string(k.default_partitions) +
                   ") is above kafka.max_partitions_per_topic (" +
                   std::to_string(k.max_partitions_per_topic) +
                   "): no auto-created topic could be made");
  }
  auto listeners = listeners_of(c);
  if (!listeners) {
    return failure(listeners.error());
  }
  const bool tls_used =
      c.http_tls || std::any_of(listeners->begin(), listeners->end(),
                                [](const auto& l) { return broker::uses_tls(l.protocol); });
  if (tls_used && (c.tls.cert_file.empty() || c.tls.key_file.empty())) {
    return failure(
        "TLS (an SSL or SASL_SSL listener, or http.tls) needs a certificate and its key: set "
        "tls.cert_file and tls.key_file (see doc/security.md)");
  }
  for (const auto* url : {&c.oidc.issuer, &c.oidc.jwks_uri}) {
    if (!url->empty() && !url->starts_with("https://") && !url->starts_with("http://")) {
      return failure(std::string(url == &c.oidc.issuer ? "oidc.issuer" : "oidc.jwks_uri") +
                     " must be an http:// or https:// URL, got '" + *url + "'");
    }
  }
  if (!protocol::is_legal_topic_name(c.audit.topic)) {
    return failure("audit.topic '" + c.audit.topic + "' is not a valid topic name");
  }
  if (auto problem = c.registry.names.problem()) {
    return failure("registry.name_*: " + *problem);
  }
  if (c.tls.clients != net::client_auth::none && c.tls.ca_file.empty()) {
    return failure("tls.client_auth needs tls.ca_file: the CAs client certificates must chain to");
  }
  for (const auto& l : *listeners) {
    if (c.listeners.empty()) {
      break;  // kafka.host: checked below with its own message
    }
    if (l.advertised_host.empty() && k.advertised_host.empty() && is_wildcard_address(l.host)) {
      return failure("listener " + l.name + " listens on every interface (" + l.host +
                     "), but clients cannot connect to that address: give it an address in "
                     "kafka.advertised_listeners (or set kafka.advertised_host)");
    }
    if (!l.advertised_host.empty() && is_wildcard_address(l.advertised_host)) {
      return failure("kafka.advertised_listeners: " + l.advertised_host +
                     " is not an address clients can connect to");
    }
  }
  if (!k.advertised_host.empty() && is_wildcard_address(k.advertised_host)) {
    return failure("kafka.advertised_host " + k.advertised_host +
                   " is not an address clients can connect to: set --advertised-host "
                   "(kafka.advertised_host) to the host name or address clients should use");
  }
  if (c.listeners.empty() && k.advertised_host.empty() && is_wildcard_address(k.host)) {
    return failure("kafka.host " + k.host +
                   " listens on every interface, but clients cannot connect to it and Brook "
                   "tells clients where to connect: set --advertised-host "
                   "(kafka.advertised_host) to the host name or address clients should use");
  }
  for (const auto& l : *listeners) {
    if (!authenticates(c, l) && !is_loopback_address(l.host) &&
        !c.security.allow_unauthenticated_remote) {
      return failure("listener " + l.name + " on " + l.host + " (" +
                     std::string(broker::security_protocol_name(l.protocol)) +
                     ") lets anyone who can reach it read and write everything: use a "
                     "SASL_PLAINTEXT or SASL_SSL listener there (or SSL with "
                     "tls.client_auth = required), or set "
                     "security.allow_unauthenticated_remote = true "
                     "(--allow-unauthenticated-remote) to accept that");
    }
  }
  if (c.http.enabled && !is_loopback_address(c.http.host) && !http_logins_required(c) &&
      !c.security.allow_unauthenticated_remote) {
    return failure("HTTP on " + c.http.host +
                   " without logins lets anyone who can reach it read and write everything: "
                   "set http.authentication = \"basic\" (--http-authentication basic), or "
                   "security.allow_unauthenticated_remote = true "
                   "(--allow-unauthenticated-remote) to accept that");
  }
  return {};
}

bool authenticates(const server_config& c, const broker::listener_config& l) {
  return broker::uses_sasl(l.protocol) || (l.protocol == broker::security_protocol::ssl &&
                                           c.tls.clients == net::client_auth::required);
}

bool audit_enabled(const server_config& c) {
  if (c.audit.enabled != "auto") {
    return c.audit.enabled == "true";
  }
  auto listeners = listeners_of(c);
  return http_logins_required(c) ||
         (listeners &&
          std::any_of(listeners->begin(), listeners->end(),
                      [&c](const broker::listener_config& l) { return authenticates(c, l); }));
}

bool http_logins_required(const server_config& c) {
  const auto& mode = c.security.http_authentication;
  if (mode != "auto") {
    return mode == "basic";
  }
  auto listeners = listeners_of(c);
  return listeners &&
         std::any_of(listeners->begin(), listeners->end(),
                     [&c](const broker::listener_config& l) { return authenticates(c, l); });
}

namespace {

// The [connectors.<name>] tables of the file: each key's value as text (a string, an
// integer, a boolean, or a list of strings joined with commas, as Connect writes lists).
outcome<std::vector<declared_connector>> declared_connectors(const toml::node& node,
                                                             const std::filesystem::path& path) {
  const auto* all = node.as_table();
  if (all == nullptr) {
    return failure(path.string() +
                   ": connectors: expected a table of connectors, each a "
                   "[connectors.<name>] table");
  }
  std::vector<declared_connector> out;
  for (const auto& [name, body] : *all) {
    const auto* keys = body.as_table();
    const std::string where = path.string() + ": connectors." + std::string(name.str());
    if (keys == nullptr) {
      return failure(where + ": expected a table of the connector's configuration");
    }
    declared_connector c;
    c.name = std::string(name.str());
    for (const auto& [k, v] : *keys) {
      std::string text;
      if (auto s = v.value<std::string>(); s && v.is_string()) {
        text = *s;
      } else if (auto i = v.value<int64_t>(); i && v.is_integer()) {
        text = std::to_string(*i);
      } else if (auto b = v.value<bool>(); b && v.is_boolean()) {
        text = *b ? "true" : "false";
      } else if (const auto* list = v.as_array();
                 list != nullptr && list->is_homogeneous(toml::node_type::string)) {
        for (const auto& element : *list) {
          text += (text.empty() ? "" : ",") + *element.value<std::string>();
        }
      } else {
        return failure(where + "." + std::string(k.str()) +
                       ": expected a string, an integer, a boolean or a list of strings");
      }
      c.config[std::string(k.str())] = std::move(text);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

outcome<server_config> load_config(const std::optional<std::filesystem::path>& path,
                                   const std::function<const char*(const char*)>& getenv) {
  server_config config;
  if (path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec)) {
      return failure(path->string() + ": " +
                     (ec ? ec.message() : std::string("not a regular file")));
    }
    toml::table parsed;
    try {
      parsed = toml::parse_file(path->string());
    } catch (const toml::parse_error& err) {
      return failure(path->string() + ":" + std::to_string(err.source().begin.line) + ": " +
                     std::string(err.description()));
    }
    // Every key of the file, tables flattened ("storage.segment_bytes"), until one is refused.
    auto visit = [&](auto&& self, const toml::table& table, const std::string& prefix) -> done {
      for (const auto& [k, node] : table) {
        std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (key == "connectors") {
          auto declared = declared_connectors(node, *path);
          if (!declared) {
            return failure(declared.error());
          }
          config.connect.connectors = std::move(*declared);
          continue;
        }
        if (const auto* sub = node.as_table()) {
          if (auto visited = self(self, *sub, key); !visited) {
            return visited;
          }
          continue;
        }
        std::string text;
        if (auto s = node.template value<std::string>(); s && node.is_string()) {
          text = *s;
        } else if (auto i = node.template value<int64_t>(); i && node.is_integer()) {
          text = std::to_string(*i);
        } else if (auto b = node.template value<bool>(); b && node.is_boolean()) {
          text = *b ? "true" : "false";
        } else if (const auto* list = node.as_array();
                   list != nullptr && list->is_homogeneous(toml::node_type::string)) {
          for (const auto& element : *list) {  // a list setting: its elements, comma-joined
            text += (text.empty() ? "" : ",") + *element.template value<std::string>();
          }
        } else {
          return failure(path->string() + ": " + key +
                         ": expected a string, an integer, a boolean or a list of strings");
        }
        if (auto set = set_config_value(config, key, text); !set) {
          return failure(path->string() + ": " + set.error());
        }
      }
      return {};
    };
    if (auto visited = visit(visit, parsed, ""); !visited) {
      return failure(visited.error());
    }
  }
  for (const auto& setting : server_settings()) {
    auto name = setting.env_name();
    if (const char* v = getenv(name.c_str())) {
      if (auto set = set_config_value(config, std::string(setting.key), v); !set) {
        return failure("environment " + name + ": " + set.error());
      }
    }
  }
  if (auto st = config.storage.validate(); !st) {
    return failure("storage settings: " + st.error().message());
  }
  return config;
}

}  // namespace brook::app
