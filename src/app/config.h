// server_config: everything `brook serve` reads, from (lowest to highest precedence) the
// built-in defaults, a TOML file, BROOK_* environment variables, and command-line flags.
// doc/configuration.md lists every key.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/command_outcome.h"
#include "broker/broker_config.h"
#include "http/http_config.h"
#include "net/tls_context.h"
#include "registry/agent_names.h"
#include "security/jwt_validator.h"
#include "security/login_limiter.h"
#include "security/oidc_keys.h"
#include "storage/log_config.h"

namespace brook::app {

// The [security] settings that are not the broker's own.
struct security_settings {
  // The SASL mechanisms SASL listeners offer.
  std::vector<std::string> sasl_mechanisms = {"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN",
                                              "OAUTHBEARER"};
  // Create the admin user with a random password, printed once, when there are no users.
  bool bootstrap_admin = false;
  // The admin user's name; with admin_password, it is created at start when absent.
  std::string admin_user = "admin";
  std::string admin_password;
  // Principals that may do everything, whatever the ACLs say.
  std::vector<std::string> super_users = {"User:admin"};
  // What a resource without any ACL allows: "auto" (everything when no listener
  // authenticates, nothing when one does), "true" or "false".
  std::string allow_everyone_if_no_acl_found = "auto";
  // Listen without authentication on addresses other than loopback.
  bool allow_unauthenticated_remote = false;
  // http.authentication: "basic" (every HTTP request but health probes logs in with HTTP
  // Basic), "none" (everyone is User:ANONYMOUS) or "auto" (basic when a Kafka listener
  // authenticates, else none).
  std::string http_authentication = "auto";
  // Failed logins allowed per client address and per user name in a window, on both ports.
  security::login_limits failed_logins;
};

// [audit]: the audit topic.
struct audit_settings {
  // "auto" (on when a Kafka listener or HTTP authenticates), "true" or "false".
  std::string enabled = "auto";
  std::string topic = "_brook_audit";
  std::chrono::milliseconds retention{7LL * 24 * 3600 * 1000};
};

// [registry]: the agent registry (doc/registry.md).
struct registry_settings {
  registry::agent_name_options names;  // registry.name_*
  // The lifetime of a key login's token (registry.token_lifetime_ms) and of the challenge
  // it answers (registry.challenge_lifetime_ms).
  std::chrono::milliseconds token_lifetime{15LL * 60 * 1000};
  std::chrono::milliseconds challenge_lifetime{60'000};
};

// [metrics]: GET /metrics on the HTTP listener.
struct metrics_settings {
  bool enabled = true;
  std::string host = "127.0.0.1";  // the metrics listener's address
  int32_t port = -1;               // its port; -1: none (/metrics on the HTTP listener only)
};

// A connector declared in the configuration file: [connectors.<name>] with its Connect
// configuration keys.
struct declared_connector {
  std::string name;
  std::map<std::string, std::string> config;
};

// [connect]: the connectors run inside brook serve.
struct connect_settings {
  bool enabled = true;
  std::string topic = "_brook_connectors";
  std::vector<declared_connector> connectors;  // [connectors.<name>] tables
};

struct server_config {
  std::filesystem::path data_dir = "./data";
  std::string log_level = "info";
  std::string log_format = "auto";  // text, json, or auto (text on a terminal)
  storage::log_config storage;
  broker::broker_config kafka;
  // kafka.listeners, kafka.listener_security_protocol_map, kafka.advertised_listeners as
  // written (comma-separated); listeners_of() turns them into the broker's listeners.
  std::string listeners;
  std::string listener_security_protocol_map;
  std::string advertised_listeners;
  security_settings security;
  audit_settings audit;
  registry_settings registry;
  metrics_settings metrics;
  connect_settings connect;
  // [tls]: the certificate of SSL and SASL_SSL listeners and of HTTPS, and client
  // certificates (mTLS).
  net::tls_config tls;
  // [oidc]: the OpenID Connect issuer whose tokens SASL OAUTHBEARER and HTTP Bearer take
  // (no issuer: no tokens taken). The issuer itself is oidc.issuer; token_rules.issuer
  // is filled from it at start.
  security::oidc_settings oidc;
  security::jwt_rules token_rules;
  // The web console's single sign-on through that issuer (oidc.console_client_id: none
  // when empty).
  std::string console_client_id;
  std::string console_client_secret;
  std::string console_scopes = "openid profile";
  // http.tls: HTTPS on the HTTP listener, with the [tls] certificate.
  bool http_tls = false;
  http::http_config http;
  std::chrono::milliseconds retention_check_interval{300'000};
  // How often each written partition's recovery checkpoint is taken.
  std::chrono::milliseconds recovery_checkpoint_interval{60'000};
  // How often the log cleaner looks for compacted partitions to clean.
  std::chrono::milliseconds log_cleaner_interval{15'000};
  // The most memory the log cleaner's key map may take (Kafka's log.cleaner.dedupe.buffer.size).
  int64_t log_cleaner_map_bytes = int64_t{128} << 20;
  // Segment files kept open at once (storage::open_file_cache); 0: half the open-file limit.
  int64_t max_open_segment_files = 0;
};

// Sets one setting by its TOML key ("data_dir", "storage.segment_bytes", ...) from text,
// or says why the value is refused ("storage.segment_bytes: must be ..., got '10'"). The
// one parser of values (the table in server_settings.h), shared by the file, the
// environment and the flags.
done set_config_value(server_config& config, const std::string& key, const std::string& value);

// Reads the TOML file (if any) and then the environment (through `getenv`), in that order;
// the first refused value is the error.
outcome<server_config> load_config(const std::optional<std::filesystem::path>& path,
                                   const std::function<const char*(const char*)>& getenv);

// The Kafka listeners: those of kafka.listeners, or one PLAINTEXT listener on
// kafka.host:kafka.port when it is empty. The error says what is wrong.
outcome<std::vector<broker::listener_config>> listeners_of(const server_config& config);

// Whether HTTP requests must log in (http.authentication, "auto" resolved against the
// listeners: logins when one of them authenticates).
bool http_logins_required(const server_config& config);
// Whether the audit topic is written (audit.enabled; auto: when anything authenticates).
bool audit_enabled(const server_config& config);

// Whether a listener authenticates its clients: SASL, or SSL with client certificates
// required (tls.client_auth = required).
bool authenticates(const server_config& config, const broker::listener_config& listener);

// Checks what no single value shows, once every source is applied: the storage ranges,
// and that clients are not told to connect to a wildcard address (0.0.0.0, ::), which
// Kafka refuses too. The error says what to change.
done check_server_config(const server_config& config);

}  // namespace brook::app
