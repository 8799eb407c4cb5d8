#include "app/server_settings.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/text.h"
#include "http/origin_policy.h"
#include "security/sasl_authenticator.h"

namespace brook::app {
namespace {

constexpr int64_t max_ms = int64_t{1} << 50;
constexpr int64_t int32_max = INT32_MAX;

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

template <typename T>
int64_t to_int(const T& v) {
  if constexpr (requires { v.count(); }) {
    return v.count();
  } else {
    return static_cast<int64_t>(v);
  }
}

template <typename T>
void assign_int(T& field, int64_t v) {
  if constexpr (requires { field.count(); }) {
    field = T(v);
  } else {
    field = static_cast<T>(v);
  }
}

// `field` is a generic lambda giving the bound field of a (const or mutable) server_config:
// [](auto& c) -> auto& { return c.storage.segment_bytes; }.

// A whole number in [min, max], stored multiplied by `scale` (minutes in a field of ms).
// `must` is the message for any other value.
template <typename Field>
server_setting integer(std::string_view key, std::string_view flag, std::string type, int64_t min,
                       int64_t max, std::string_view must, std::string_view help, Field field,
                       int64_t scale = 1) {
  return {key,
          flag,
          std::move(type),
          help,
          [=](server_config& c, const std::string& text) -> done {
            auto v = parse_int(text);
            if (!v || *v < min || *v > max) {
              return failure(std::string(must));
            }
            assign_int(field(c), *v * scale);
            return {};
          },
          [=](const server_config& c) { return std::to_string(to_int(field(c)) / scale); }};
}

template <typename Field>
server_setting boolean(std::string_view key, std::string_view flag, std::string_view help,
                       Field field) {
  return {key,
          flag,
          "true|false",
          help,
          [=](server_config& c, const std::string& text) -> done {
            if (text != "true" && text != "false") {
              return failure("must be true or false");
            }
            field(c) = text == "true";
            return {};
          },
          [=](const server_config& c) { return std::string(field(c) ? "true" : "false"); }};
}

// One of a few names, each standing for a value of the field.
template <typename T, typename Field>
server_setting choice(std::string_view key, std::string_view flag,
                      std::vector<std::pair<std::string_view, T>> choices, std::string_view help,
                      Field field) {
  std::string type;
  std::string must = choices.size() == 2 ? "must be " : "must be one of ";
  for (size_t i = 0; i < choices.size(); ++i) {
    auto name = std::string(choices[i].first);
    type += (i > 0 ? "|" : "") + name;
    if (choices.size() == 2) {
      must += (i > 0 ? " or '" : "'") + name + "'";
    } else {
      must += (i > 0 ? ", " : "") + name;
    }
  }
  return {key,
          flag,
          std::move(type),
          help,
          [=](server_config& c, const std::string& text) -> done {
            for (const auto& [name, value] : choices) {
              if (text == name) {
                field(c) = value;
                return {};
              }
            }
            return failure(must);
          },
          [=](const server_config& c) {
            for (const auto& [name, value] : choices) {
              if (field(c) == value) {
                return std::string(name);
              }
            }
            return std::string();
          },
          true};
}

// Free text; refused when empty if `must_if_empty` is given.
template <typename Field>
server_setting text(std::string_view key, std::string_view flag, std::string type,
                    std::string_view must_if_empty, std::string_view help, Field field) {
  return {key,
          flag,
          std::move(type),
          help,
          [=](server_config& c, const std::string& value) -> done {
            if (value.empty() && !must_if_empty.empty()) {
              return failure(std::string(must_if_empty));
            }
            field(c) = value;
            return {};
          },
          [=](const server_config& c) {
            if constexpr (std::is_same_v<std::decay_t<decltype(field(c))>, std::filesystem::path>) {
              return field(c).string();
            } else {
              return std::string(field(c));
            }
          },
          true};
}

// A comma-separated list of names (a TOML array of strings is joined with commas first);
// each element trimmed, empty ones dropped, and refused with `must` unless `valid`.
template <typename Field, typename Valid>
server_setting name_list(std::string_view key, std::string_view flag, std::string type,
                         std::string_view must, std::string_view help, Field field, Valid valid) {
  return {key,
          flag,
          std::move(type),
          help,
          [=](server_config& c, const std::string& value) -> done {
            auto names = split_list(value);
            for (const auto& name : names) {
              if (!valid(name)) {
                return failure(std::string(must) + ", got '" + name + "'");
              }
            }
            field(c) = std::move(names);
            return {};
          },
          [=](const server_config& c) { return join_list(field(c)); },
          true};
}

// A host name or address as a Host header carries it, with an optional port, or "*".
bool valid_host_name(std::string_view name) {
  return name == "*" || http::is_host_text(name);
}

// Type:name, both parts non-empty.
bool valid_principal(std::string_view p) {
  const size_t colon = p.find(':');
  return colon != std::string_view::npos && colon > 0 && colon + 1 < p.size();
}

bool valid_sasl_mechanism(std::string_view name) {
  const auto& known = security::known_sasl_mechanisms();
  return std::find(known.begin(), known.end(), name) != known.end();
}

// A web origin: scheme://host[:port], or "*".
bool valid_origin(std::string_view origin) {
  if (origin == "*") {
    return true;
  }
  auto sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return false;
  }
  auto host = origin.substr(sep + 3);
  while (!host.empty() && host.back() == '/') {
    host.remove_suffix(1);
  }
  return http::is_host_text(host);
}

std::vector<server_setting> make_settings() {
  using std::chrono::milliseconds;
  using storage::durability;
  std::vector<server_setting> s;
  // General
  s.push_back(text(
      "data_dir", "--data-dir", "PATH", "must not be empty",
      "Data directory: partition logs, metadata, groups",
      [](auto& c) -> auto& { return c.data_dir; }));
  s.push_back(choice<std::string_view>(
      "log_level", "--log-level",
      {{"trace", "trace"},
       {"debug", "debug"},
       {"info", "info"},
       {"warn", "warn"},
       {"error", "error"},
       {"off", "off"}},
      "Level of the log written to stderr", [](auto& c) -> auto& { return c.log_level; }));
  s.push_back(choice<std::string>(
      "log_format", "--log-format", {{"auto", "auto"}, {"text", "text"}, {"json", "json"}},
      "Log lines as text or as JSON objects (auto: text when stderr is a terminal, JSON "
      "otherwise)",
      [](auto& c) -> auto& { return c.log_format; }));
  s.push_back(integer(
      "log_slow_request_ms", "--log-slow-request-ms", "MS", 0, 86'400'000,
      "must be a number of milliseconds, 0 (off) to 86400000",
      "Log a Kafka request answered after this long, with its id, API, client and time "
      "(0: never; Fetch, JoinGroup and SyncGroup wait by design and are left out)",
      [](auto& c) -> auto& { return c.kafka.slow_request; }));
  // Storage: the server's defaults for every partition
  s.push_back(choice<durability>(
      "storage.durability", "--durability",
      {{"sync", durability::sync}, {"interval", durability::interval}},
      "sync: acknowledge after fdatasync; interval: after the write, flushed every "
      "--flush-interval-ms",
      [](auto& c) -> auto& { return c.storage.durability; }));
  s.push_back(integer(
      "storage.flush_interval_ms", "--flush-interval-ms", "MS", 1, max_ms,
      "must be a whole number of milliseconds, at least 1",
      "Flush interval for durability=interval",
      [](auto& c) -> auto& { return c.storage.flush_interval; }));
  s.push_back(integer(
      "storage.segment_bytes", "--segment-bytes", "BYTES", 1024, int32_max,
      "must be between 1024 and 2147483647", "Roll segments at this size",
      [](auto& c) -> auto& { return c.storage.segment_bytes; }));
  s.push_back(integer(
      "storage.segment_ms", "--segment-ms", "MS", 1, max_ms,
      "must be a whole number of milliseconds, at least 1", "Roll segments at this age",
      [](auto& c) -> auto& { return c.storage.segment_ms; }));
  s.push_back(integer(
      "storage.retention_bytes", "--retention-bytes", "BYTES", -1, INT64_MAX,
      "must be -1 (no limit) or a number of bytes",
      "Keep at most this many bytes per partition (-1: no limit)",
      [](auto& c) -> auto& { return c.storage.retention_bytes; }));
  s.push_back(integer(
      "storage.retention_ms", "--retention-ms", "MS", -1, max_ms,
      "must be -1 (no limit) or a number of milliseconds",
      "Delete segments older than this (-1: never)",
      [](auto& c) -> auto& { return c.storage.retention_ms; }));
  s.push_back(integer(
      "storage.retention_check_interval_ms", "--retention-check-interval-ms", "MS", 1, max_ms,
      "must be a whole number of milliseconds, at least 1",
      "How often the retention rules are applied",
      [](auto& c) -> auto& { return c.retention_check_interval; }));
  s.push_back(integer(
      "storage.recovery_checkpoint_interval_ms", "--recovery-checkpoint-interval-ms", "MS", 1,
      max_ms, "must be a whole number of milliseconds, at least 1",
      "How often written partitions checkpoint what recovery after a crash may skip",
      [](auto& c) -> auto& { return c.recovery_checkpoint_interval; }));
  s.push_back(integer(
      "storage.log_cleaner_interval_ms", "--log-cleaner-interval-ms", "MS", 1, max_ms,
      "must be a whole number of milliseconds, at least 1",
      "How often the log cleaner looks for compacted partitions that need cleaning",
      [](auto& c) -> auto& { return c.log_cleaner_interval; }));
  s.push_back(integer(
      "storage.max_message_bytes", "--max-message-bytes", "BYTES", 64, int64_t{1} << 30,
      "must be between 64 and 1073741824", "Largest record batch accepted, with its 12-byte prefix",
      [](auto& c) -> auto& { return c.storage.max_message_bytes; }));
  s.push_back(integer(
      "storage.index_interval_bytes", "--index-interval-bytes", "BYTES", 1, int64_t{1} << 30,
      "must be between 1 and 1073741824", "Bytes between index entries",
      [](auto& c) -> auto& { return c.storage.index_interval_bytes; }));
  s.push_back(integer(
      "storage.max_open_segment_files", "--max-open-segment-files", "INT", 0, 100'000'000,
      "must be 0 (half the open-file limit) or a number of files",
      "Segment files kept open at once; others are opened on demand (0: half the open-file "
      "limit)",
      [](auto& c) -> auto& { return c.max_open_segment_files; }));
  s.push_back(integer(
      "storage.log_cleaner_map_bytes", "--log-cleaner-map-bytes", "BYTES", 1 << 20,
      int64_t{1} << 40, "must be between 1048576 (1 MiB) and 2^40",
      "Memory the log cleaner's key map may use (24 bytes a key): a compacted partition "
      "with more new keys is cleaned over several rounds",
      [](auto& c) -> auto& { return c.log_cleaner_map_bytes; }));
  // The Kafka listener
  s.push_back(text(
      "kafka.host", "--kafka-host", "HOST", "must be an IP address", "Kafka listener address",
      [](auto& c) -> auto& { return c.kafka.host; }));
  s.push_back(integer(
      "kafka.port", "--kafka-port", "PORT", 0, 65535,
      "must be a port number, 0-65535 (0: any free port)", "Kafka listener port (0: any free port)",
      [](auto& c) -> auto& { return c.kafka.port; }));
  s.push_back(text(
      "kafka.advertised_host", "--advertised-host", "HOST", {},
      "Host clients are told to connect to (default: the listener address)",
      [](auto& c) -> auto& { return c.kafka.advertised_host; }));
  s.push_back(integer(
      "kafka.advertised_port", "--advertised-port", "PORT", 0, 65535,
      "must be a port number, 0-65535 (0: the listening port)",
      "Port clients are told to connect to (0: the listening port)",
      [](auto& c) -> auto& { return c.kafka.advertised_port; }));
  s.push_back(text(
      "kafka.listeners", "--listeners", "LISTENERS", {},
      "Kafka listeners as NAME://HOST:PORT, comma-separated (PLAINTEXT, SSL, SASL_PLAINTEXT, "
      "SASL_SSL, or names mapped by kafka.listener_security_protocol_map); empty: one "
      "PLAINTEXT listener on kafka.host:kafka.port",
      [](auto& c) -> auto& { return c.listeners; }));
  s.push_back(text(
      "kafka.listener_security_protocol_map", "--listener-security-protocol-map", "NAME:PROTOCOL",
      {}, "Security protocol of each listener name that is not a protocol itself, comma-separated",
      [](auto& c) -> auto& { return c.listener_security_protocol_map; }));
  s.push_back(text(
      "kafka.advertised_listeners", "--advertised-listeners", "LISTENERS", {},
      "Where clients of each listener are told to connect, as NAME://HOST:PORT (default: "
      "kafka.advertised_host or the listener's address, and its port)",
      [](auto& c) -> auto& { return c.advertised_listeners; }));
  s.push_back(integer(
      "kafka.max_request_bytes", "--max-request-bytes", "BYTES", 1024, int64_t{1} << 31,
      "must be a number of bytes, 1024 to 2147483648",
      "A request frame above this closes its connection",
      [](auto& c) -> auto& { return c.kafka.max_request_bytes; }));
  s.push_back(integer(
      "kafka.max_connections", "--kafka-max-connections", "INT", 1, 1'000'000,
      "must be between 1 and 1000000", "Open Kafka connections at most (more are closed)",
      [](auto& c) -> auto& { return c.kafka.max_connections; }));
  s.push_back(integer(
      "kafka.max_connections_per_ip", "--kafka-max-connections-per-ip", "INT", 0, 1'000'000,
      "must be between 0 (no limit) and 1000000",
      "Open Kafka connections from one client address at most (0: no limit)",
      [](auto& c) -> auto& { return c.kafka.max_connections_per_ip; }));
  s.push_back(integer(
      "kafka.queued_max_request_bytes", "--queued-max-request-bytes", "BYTES", 1024,
      int64_t{1} << 40, "must be a number of bytes, 1024 to 2^40",
      "Bytes of Kafka requests being read or waiting, all connections together; past it "
      "reading pauses",
      [](auto& c) -> auto& { return c.kafka.queued_max_request_bytes; }));
  s.push_back(integer(
      "kafka.connections_max_idle_ms", "--kafka-connections-max-idle-ms", "MS", 1, 86'400'000,
      "must be a number of milliseconds, 1 to 86400000",
      "Close a Kafka connection with no request for this long",
      [](auto& c) -> auto& { return c.kafka.connections_max_idle; }));
  s.push_back(integer(
      "kafka.request_read_timeout_ms", "--kafka-request-read-timeout-ms", "MS", 1, 86'400'000,
      "must be a number of milliseconds, 1 to 86400000",
      "A Kafka request must arrive whole within this once it has begun",
      [](auto& c) -> auto& { return c.kafka.request_read_timeout; }));
  s.push_back(name_list(
      "security.sasl_mechanisms", "--sasl-mechanisms", "MECHANISMS",
      "must be SASL mechanisms Brook implements: SCRAM-SHA-256, SCRAM-SHA-512, PLAIN, "
      "OAUTHBEARER",
      "SASL mechanisms SASL listeners offer (comma-separated; OAUTHBEARER needs oidc.issuer)",
      [](auto& c) -> auto& { return c.security.sasl_mechanisms; }, valid_sasl_mechanism));
  s.push_back(integer(
      "security.connections_max_reauth_ms", "--connections-max-reauth-ms", "MS", 0, max_ms,
      "must be a number of milliseconds (0: never)",
      "An authenticated Kafka session lasts this long; the client then authenticates again on "
      "the same connection (0: for the connection's life)",
      [](auto& c) -> auto& { return c.kafka.connections_max_reauth; }));
  s.push_back(boolean(
      "security.bootstrap_admin", "--bootstrap-admin",
      "When there are no users, create security.admin_user with a random password and print "
      "it once",
      [](auto& c) -> auto& { return c.security.bootstrap_admin; }));
  s.push_back(text(
      "security.admin_user", "--admin-user", "NAME", "must not be empty",
      "The administrator's user name", [](auto& c) -> auto& { return c.security.admin_user; }));
  s.push_back(text(
      "security.admin_password", "--admin-password", "PASSWORD", {},
      "Create security.admin_user with this password when it does not exist (better from the "
      "environment: BROOK_SECURITY_ADMIN_PASSWORD)",
      [](auto& c) -> auto& { return c.security.admin_password; }));
  s.back().format = [](const server_config&) { return std::string(); };  // never printed
  s.push_back(name_list(
      "security.super_users", "--super-users", "PRINCIPALS",
      "must be principals such as User:admin (comma-separated)",
      "Principals that may do everything, whatever the ACLs say (comma-separated)",
      [](auto& c) -> auto& { return c.security.super_users; }, valid_principal));
  s.push_back(choice<std::string>(
      "security.allow_everyone_if_no_acl_found", "--allow-everyone-if-no-acl-found",
      {{"auto", "auto"}, {"true", "true"}, {"false", "false"}},
      "Whether a resource without any ACL allows everyone (auto: yes unless a listener "
      "authenticates)",
      [](auto& c) -> auto& { return c.security.allow_everyone_if_no_acl_found; }));
  s.push_back(text(
      "tls.cert_file", "--tls-cert-file", "PATH", {},
      "PEM file with the server's certificate and its chain (SSL and SASL_SSL "
      "listeners, http.tls)",
      [](auto& c) -> auto& { return c.tls.cert_file; }));
  s.push_back(text(
      "tls.key_file", "--tls-key-file", "PATH", {},
      "PEM file with the certificate's private key (unencrypted)",
      [](auto& c) -> auto& { return c.tls.key_file; }));
  s.push_back(text(
      "tls.ca_file", "--tls-ca-file", "PATH", {},
      "PEM file with the CAs client certificates must chain to (mTLS)",
      [](auto& c) -> auto& { return c.tls.ca_file; }));
  s.push_back(choice<net::client_auth>(
      "tls.client_auth", "--tls-client-auth",
      {{"none", net::client_auth::none},
       {"requested", net::client_auth::requested},
       {"required", net::client_auth::required}},
      "Client certificates on TLS listeners: not asked for, asked for, or required (a "
      "verified certificate's subject is the principal on SSL listeners)",
      [](auto& c) -> auto& { return c.tls.clients; }));
  s.push_back(integer(
      "security.failed_login_limit_per_address", "--failed-login-limit-per-address", "INT", 0,
      1'000'000, "must be a number of failed logins, 0 (no limit) to 1000000",
      "Failed logins from one client address within security.failed_login_window_ms before its "
      "further attempts are refused unchecked (0: no limit)",
      [](auto& c) -> auto& { return c.security.failed_logins.per_address; }));
  s.push_back(integer(
      "security.failed_login_limit_per_user", "--failed-login-limit-per-user", "INT", 0, 1'000'000,
      "must be a number of failed logins, 0 (no limit) to 1000000",
      "Failed logins as one user name within security.failed_login_window_ms before further "
      "attempts as it are refused, even with the right password (0: no limit)",
      [](auto& c) -> auto& { return c.security.failed_logins.per_user; }));
  s.push_back(integer(
      "security.failed_login_window_ms", "--failed-login-window-ms", "MS", 1000, 86'400'000,
      "must be a number of milliseconds, 1000 to 86400000",
      "The window failed logins are counted in; a refusal lasts until it ends",
      [](auto& c) -> auto& { return c.security.failed_logins.window; }));
  s.push_back(choice<std::string>(
      "audit.enabled", "--audit", {{"auto", "auto"}, {"true", "true"}, {"false", "false"}},
      "Append authentications and authorization denials to audit.topic (auto: when a Kafka "
      "listener or HTTP authenticates)",
      [](auto& c) -> auto& { return c.audit.enabled; }));
  s.push_back(text(
      "audit.topic", "--audit-topic", "TOPIC", "must not be empty",
      "The audit topic (created at start with audit.retention_ms when absent)",
      [](auto& c) -> auto& { return c.audit.topic; }));
  s.push_back(integer(
      "audit.retention_ms", "--audit-retention-ms", "MS", -1, max_ms,
      "must be a number of milliseconds, or -1 (forever)",
      "How long audit records are kept (the audit topic's retention.ms when Brook creates it)",
      [](auto& c) -> auto& { return c.audit.retention; }));
  s.push_back(integer(
      "registry.name_words", "--registry-name-words", "N", 1, 8, "must be 1 to 8 words",
      "Words in an agent's topic name (3 words of the list: 8.7e10 names)",
      [](auto& c) -> auto& { return c.registry.names.words; }));
  s.push_back(choice<std::string>(
      "registry.name_separator", "--registry-name-separator", {{"-", "-"}, {"_", "_"}, {".", "."}},
      "What joins the words of an agent's topic name",
      [](auto& c) -> auto& { return c.registry.names.separator; }));
  s.push_back(text(
      "registry.name_prefix", "--registry-name-prefix", "PREFIX", "",
      "Put before every agent's topic name, with the separator (topic-name characters)",
      [](auto& c) -> auto& { return c.registry.names.prefix; }));
  s.push_back(integer(
      "registry.token_lifetime_ms", "--registry-token-lifetime-ms", "MS", 1000, 24LL * 3600 * 1000,
      "must be 1000 (1 s) to 86400000 (1 day) milliseconds",
      "How long the token of an agent's key login is good for",
      [](auto& c) -> auto& { return c.registry.token_lifetime; }));
  s.push_back(integer(
      "registry.challenge_lifetime_ms", "--registry-challenge-lifetime-ms", "MS", 100,
      3600LL * 1000, "must be 100 to 3600000 (1 h) milliseconds",
      "How long a key-login challenge waits for the agent's signature",
      [](auto& c) -> auto& { return c.registry.challenge_lifetime; }));
  s.push_back(boolean(
      "metrics.enabled", "--metrics-enabled",
      "Serve GET /metrics (Prometheus) on the HTTP listener, behind its logins; a scrape "
      "needs DESCRIBE on the cluster",
      [](auto& c) -> auto& { return c.metrics.enabled; }));
  s.push_back(text(
      "metrics.host", "--metrics-host", "HOST", "must be an IP address to listen on",
      "The metrics listener's address (with metrics.port)",
      [](auto& c) -> auto& { return c.metrics.host; }));
  s.push_back(integer(
      "metrics.port", "--metrics-port", "PORT", -1, 65535,
      "must be a port number, 0 to 65535, or -1 (none)",
      "Also serve GET /metrics alone on this port, behind the same logins (-1: none; 0: any "
      "free port)",
      [](auto& c) -> auto& { return c.metrics.port; }));
  s.push_back(boolean(
      "connect.enabled", "--connect-enabled",
      "Run connectors (sinks) inside brook serve, managed with Kafka Connect's REST API on the "
      "HTTP listener (/connectors) and `brook connector`",
      [](auto& c) -> auto& { return c.connect.enabled; }));
  s.push_back(text(
      "connect.topic", "--connect-topic", "TOPIC", "must not be empty",
      "The compacted topic connector definitions are kept in (created with the first connector)",
      [](auto& c) -> auto& { return c.connect.topic; }));
  s.push_back(text(
      "oidc.issuer", "--oidc-issuer", "URL", {},
      "OpenID Connect issuer whose tokens log in (SASL OAUTHBEARER, HTTP Bearer), exactly as "
      "its tokens' iss says: https://keycloak.example.com/realms/brook",
      [](auto& c) -> auto& { return c.oidc.issuer; }));
  s.push_back(text(
      "oidc.jwks_uri", "--oidc-jwks-uri", "URL", {},
      "The issuer's JWK Set URL (empty: from its discovery document)",
      [](auto& c) -> auto& { return c.oidc.jwks_uri; }));
  s.push_back(text(
      "oidc.ca_file", "--oidc-ca-file", "PATH", {},
      "PEM file with the CAs the issuer's https certificate must chain to (empty: the "
      "system's)",
      [](auto& c) -> auto& { return c.oidc.fetch.ca_file; }));
  s.push_back(name_list(
      "oidc.audience", "--oidc-audience", "NAMES", "must be audience names (comma-separated)",
      "A token's aud must name one of these (comma-separated; empty: aud is not checked)",
      [](auto& c) -> auto& { return c.token_rules.audiences; },
      [](std::string_view a) { return !a.empty(); }));
  s.push_back(text(
      "oidc.console_client_id", "--oidc-console-client-id", "ID", {},
      "The web console's client at the issuer: single sign-on with the authorization code "
      "flow and PKCE (empty: password logins only)",
      [](auto& c) -> auto& { return c.console_client_id; }));
  s.push_back(text(
      "oidc.console_client_secret", "--oidc-console-client-secret", "SECRET", {},
      "That client's secret (empty: a public client, PKCE alone)",
      [](auto& c) -> auto& { return c.console_client_secret; }));
  s.push_back(text(
      "oidc.console_scopes", "--oidc-console-scopes", "SCOPES", "must not be empty",
      "The scopes the console's logins ask for (space-separated; openid among them)",
      [](auto& c) -> auto& { return c.console_scopes; }));
  s.push_back(text(
      "oidc.principal_claim", "--oidc-principal-claim", "CLAIM", "must not be empty",
      "The claim that names the principal User:<claim> (sub; preferred_username for Keycloak)",
      [](auto& c) -> auto& { return c.token_rules.principal_claim; }));
  s.push_back(integer(
      "oidc.clock_skew_s", "--oidc-clock-skew-s", "S", 0, 3600,
      "must be a number of seconds, 0 to 3600",
      "Clock difference allowed when checking a token's exp and nbf",
      [](auto& c) -> auto& { return c.token_rules.clock_skew; }));
  s.push_back(integer(
      "oidc.fetch_timeout_ms", "--oidc-fetch-timeout-ms", "MS", 1, 60'000,
      "must be a number of milliseconds, 1 to 60000",
      "Longest wait for the issuer's discovery document or keys",
      [](auto& c) -> auto& { return c.oidc.fetch.timeout; }));
  s.push_back(integer(
      "oidc.jwks_refresh_ms", "--oidc-jwks-refresh-ms", "MS", 1000, max_ms,
      "must be a number of milliseconds, 1000 or more",
      "Fetch the issuer's keys again when they are this old",
      [](auto& c) -> auto& { return c.oidc.refresh; }));
  s.push_back(integer(
      "oidc.jwks_min_refetch_ms", "--oidc-jwks-min-refetch-ms", "MS", 0, max_ms,
      "must be a number of milliseconds",
      "A token signed by an unknown key fetches the keys again, at most once in this long",
      [](auto& c) -> auto& { return c.oidc.min_refetch; }));
  s.push_back(boolean(
      "security.allow_unauthenticated_remote", "--allow-unauthenticated-remote",
      "Allow PLAINTEXT listeners on addresses other than loopback (anyone who reaches them can "
      "read and write everything)",
      [](auto& c) -> auto& { return c.security.allow_unauthenticated_remote; }));
  s.push_back(integer(
      "kafka.threads", "--kafka-threads", "INT", 0, 1024,
      "must be a number of threads, 0 (one per core) to 1024",
      "Kafka network threads (0: one per core)", [](auto& c) -> auto& { return c.kafka.threads; }));
  s.push_back(boolean(
      "kafka.auto_create_topics", "--auto-create-topics",
      "Create topics on first use (Metadata, Produce)",
      [](auto& c) -> auto& { return c.kafka.auto_create_topics; }));
  s.push_back(integer(
      "kafka.default_partitions", "--default-partitions", "INT", 1, 100000,
      "must be a number of partitions, 1 to 100000", "Partitions of auto-created topics",
      [](auto& c) -> auto& { return c.kafka.default_partitions; }));
  s.push_back(integer(
      "kafka.max_partitions_per_topic", "--max-partitions-per-topic", "INT", 1, 100000,
      "must be a number of partitions, 1 to 100000",
      "Partitions one topic may have (creates and CreatePartitions beyond it are refused)",
      [](auto& c) -> auto& { return c.kafka.max_partitions_per_topic; }));
  s.push_back(integer(
      "kafka.max_partitions", "--max-partitions", "INT", 1, 10'000'000,
      "must be a number of partitions, 1 to 10000000",
      "Partitions of all topics together (creates beyond it are refused)",
      [](auto& c) -> auto& { return c.kafka.max_partitions; }));
  // The group coordinator
  s.push_back(integer(
      "groups.initial_rebalance_delay_ms", "--group-initial-rebalance-delay-ms", "MS", 0, 3'600'000,
      "must be between 0 and 3600000 milliseconds",
      "How long a new group's first rebalance waits for more members",
      [](auto& c) -> auto& { return c.kafka.groups.initial_rebalance_delay_ms; }));
  s.push_back(integer(
      "groups.min_session_timeout_ms", "--group-min-session-timeout-ms", "MS", 1, int32_max,
      "must be a number of milliseconds, 1 to 2147483647",
      "Shortest session timeout a consumer may ask for",
      [](auto& c) -> auto& { return c.kafka.groups.min_session_timeout_ms; }));
  s.push_back(integer(
      "groups.max_session_timeout_ms", "--group-max-session-timeout-ms", "MS", 1, int32_max,
      "must be a number of milliseconds, 1 to 2147483647",
      "Longest session timeout a consumer may ask for",
      [](auto& c) -> auto& { return c.kafka.groups.max_session_timeout_ms; }));
  s.push_back(integer(
      "groups.max_size", "--group-max-size", "INT", 0, int32_max,
      "must be 0 (no limit) or a number of members", "Members per group (0: no limit)",
      [](auto& c) -> auto& { return c.kafka.groups.max_size; }));
  s.push_back(integer(
      "groups.offsets_retention_minutes", "--offsets-retention-minutes", "MINUTES", 1,
      max_ms / 60'000, "must be a number of minutes, at least 1",
      "Keep an empty group's committed offsets this long",
      [](auto& c) -> auto& { return c.kafka.groups.offsets_retention_ms; }, 60'000));
  s.push_back(integer(
      "groups.offsets_retention_check_interval_ms", "--offsets-retention-check-interval-ms", "MS",
      1, max_ms, "must be a whole number of milliseconds, at least 1",
      "How often expired offsets are removed",
      [](auto& c) -> auto& { return c.kafka.groups.offsets_retention_check_interval_ms; }));
  s.push_back(integer(
      "groups.offset_metadata_max_bytes", "--offset-metadata-max-bytes", "BYTES", 0, int32_max,
      "must be a number of bytes, 0 to 2147483647", "Longest metadata string of an offset commit",
      [](auto& c) -> auto& { return c.kafka.groups.offset_metadata_max_bytes; }));
  // The transaction coordinator
  s.push_back(integer(
      "transactions.max_timeout_ms", "--transaction-max-timeout-ms", "MS", 1, int32_max,
      "must be a number of milliseconds, 1 to 2147483647",
      "Longest transaction timeout a producer may ask for (transaction.max.timeout.ms)",
      [](auto& c) -> auto& { return c.kafka.transactions.max_timeout_ms; }));
  s.push_back(integer(
      "transactions.id_expiration_ms", "--transactional-id-expiration-ms", "MS", 1, max_ms,
      "must be a whole number of milliseconds, at least 1",
      "Forget a transactional id unused this long (transactional.id.expiration.ms)",
      [](auto& c) -> auto& { return c.kafka.transactions.id_expiration_ms; }));
  s.push_back(integer(
      "transactions.abort_check_interval_ms", "--transaction-abort-check-interval-ms", "MS", 1,
      max_ms, "must be a whole number of milliseconds, at least 1",
      "How often transactions past their timeout are aborted",
      [](auto& c) -> auto& { return c.kafka.transactions.abort_check_interval_ms; }));
  // HTTP: the REST Proxy
  s.push_back(boolean(
      "http.enabled", "--http-enabled", "Serve HTTP (the REST Proxy) at all",
      [](auto& c) -> auto& { return c.http.enabled; }));
  s.push_back(text(
      "http.host", "--http-host", "HOST", "must be an IP address to listen on",
      "REST Proxy (HTTP) listener address", [](auto& c) -> auto& { return c.http.host; }));
  s.push_back(integer(
      "http.port", "--http-port", "PORT", 0, 65535, "must be a port number, 0 to 65535",
      "REST Proxy (HTTP) listener port (0: any free port)",
      [](auto& c) -> auto& { return c.http.port; }));
  s.push_back(integer(
      "http.threads", "--http-threads", "INT", 0, 1024, "must be 0 (one per core) to 1024",
      "HTTP threads (0: one per core)", [](auto& c) -> auto& { return c.http.threads; }));
  s.push_back(integer(
      "http.max_body_bytes", "--http-max-body-bytes", "BYTES", 1024, int64_t{1} << 31,
      "must be between 1024 and 2147483648", "Largest HTTP request body accepted",
      [](auto& c) -> auto& { return c.http.max_body_bytes; }));
  s.push_back(integer(
      "http.request_timeout_ms", "--http-request-timeout-ms", "MS", 1, 86'400'000,
      "must be a number of milliseconds, 1 to 86400000",
      "A request's headers and body must arrive within this",
      [](auto& c) -> auto& { return c.http.request_timeout; }));
  s.push_back(integer(
      "http.idle_timeout_ms", "--http-idle-timeout-ms", "MS", 1, 86'400'000,
      "must be a number of milliseconds, 1 to 86400000",
      "Close a keep-alive connection with no request for this long",
      [](auto& c) -> auto& { return c.http.idle_timeout; }));
  s.push_back(integer(
      "http.session_idle_timeout_ms", "--http-session-idle-timeout-ms", "MS", 1000, 86'400'000,
      "must be a number of milliseconds, 1000 to 86400000",
      "End a console session unused for this long",
      [](auto& c) -> auto& { return c.http.session_idle_timeout; }));
  s.push_back(integer(
      "http.session_lifetime_ms", "--http-session-lifetime-ms", "MS", 1000, 30 * 86'400'000LL,
      "must be a number of milliseconds, 1000 to 2592000000",
      "End a console session this long after its login, used or not",
      [](auto& c) -> auto& { return c.http.session_lifetime; }));
  s.push_back(integer(
      "http.max_sessions", "--http-max-sessions", "INT", 1, 1'000'000,
      "must be between 1 and 1000000", "Open console sessions at most (more logins are refused)",
      [](auto& c) -> auto& { return c.http.max_sessions; }));
  s.push_back(integer(
      "http.max_connections", "--http-max-connections", "INT", 1, 1'000'000,
      "must be between 1 and 1000000", "Open HTTP connections at most",
      [](auto& c) -> auto& { return c.http.max_connections; }));
  s.push_back(integer(
      "http.max_connections_per_ip", "--http-max-connections-per-ip", "INT", 0, 1'000'000,
      "must be between 0 (no limit) and 1000000",
      "Open HTTP connections from one client address at most (0: no limit)",
      [](auto& c) -> auto& { return c.http.max_connections_per_ip; }));
  s.push_back(integer(
      "http.consumer_idle_timeout_ms", "--consumer-idle-timeout-ms", "MS", 1, 86'400'000,
      "must be a number of milliseconds, 1 to 86400000",
      "Close REST consumer instances unused this long",
      [](auto& c) -> auto& { return c.http.consumer_idle_timeout; }));
  s.push_back(integer(
      "http.max_consumer_instances", "--max-consumer-instances", "INT", 1, 1'000'000,
      "must be between 1 and 1000000", "REST consumer instances at most",
      [](auto& c) -> auto& { return c.http.max_consumer_instances; }));
  s.push_back(boolean(
      "http.tls", "--http-tls", "HTTPS on the HTTP listener, with the certificate of tls.cert_file",
      [](auto& c) -> auto& { return c.http_tls; }));
  s.push_back(choice<std::string>(
      "http.authentication", "--http-authentication",
      {{"auto", "auto"}, {"basic", "basic"}, {"none", "none"}},
      "How HTTP requests log in (basic: HTTP Basic with a user's credentials, or a Bearer "
      "token when oidc.issuer is set; none: everyone is User:ANONYMOUS; auto: basic when a "
      "Kafka listener authenticates)",
      [](auto& c) -> auto& { return c.security.http_authentication; }));
  s.push_back(name_list(
      "http.allowed_hosts", "--http-allowed-hosts", "HOSTS",
      "must be host names or addresses (comma-separated), or *",
      "Host names requests may use besides IP addresses, localhost and this machine's name "
      "(comma-separated; *: any)",
      [](auto& c) -> auto& { return c.http.allowed_hosts; }, valid_host_name));
  s.push_back(name_list(
      "http.cors_allowed_origins", "--http-cors-allowed-origins", "ORIGINS",
      "must be web origins such as https://app.example.com (comma-separated), or *",
      "Web origins whose pages may call the API from a browser (CORS; comma-separated; *: "
      "any; empty: none)",
      [](auto& c) -> auto& { return c.http.cors_allowed_origins; }, valid_origin));
  return s;
}

}  // namespace

std::string server_setting::env_name() const {
  std::string out = "BROOK_";
  for (char c : key) {
    out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string server_setting::default_value() const {
  return format(server_config{});
}

const std::vector<server_setting>& server_settings() {
  static const std::vector<server_setting> all = make_settings();
  return all;
}

const server_setting* find_server_setting(std::string_view key) {
  for (const auto& s : server_settings()) {
    if (s.key == key) {
      return &s;
    }
  }
  return nullptr;
}

}  // namespace brook::app
