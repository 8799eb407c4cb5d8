#include "app/serve_command.h"

#include <signal.h>

#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <ostream>

#include "app/server_metrics.h"
#include "app/server_settings.h"
#include "app/sqlite_agent_store.h"
#include "backend/broker_overview.h"
#include "backend/local_backend.h"
#include "base/base64.h"
#include "base/crc32c.h"
#include "base/descriptor_limit.h"
#include "base/log.h"
#include "base/metrics_registry.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/server.h"
#include "broker/topic_table.h"
#include "broker/txn/txn_coordinator.h"
#include "connect/connect_runtime.h"
#include "http/http_authentication.h"
#include "http/metrics_listener.h"
#include "http/rest_service.h"
#include "net/io_pool.h"
#include "net/periodic_timer.h"
#include "net/tls_context.h"
#include "registry/agent_key_login.h"
#include "registry/agent_registry.h"
#include "security/acl_authorizer.h"
#include "security/audit_log.h"
#include "security/jwt_validator.h"
#include "security/local_token_issuer.h"
#include "security/login_guard.h"
#include "security/login_limiter.h"
#include "security/oidc_keys.h"
#include "security/password_authenticator.h"
#include "security/sasl_authenticator.h"
#include "security/scram_credential.h"
#include "security/user_directory.h"
#include "storage/data_dir_lock.h"
#include "storage/errc.h"
#include "storage/group_store.h"
#include "storage/log_manager.h"
#include "storage/metadata_store.h"
#include "storage/open_file_cache.h"

namespace brook::app {

namespace {

// Descriptors kept beyond the segment files (sockets, SQLite, the listeners, logs, pipes):
// an explicit storage.max_open_segment_files must leave at least this many.
constexpr uint64_t descriptor_reserve = 256;
// The fewest segment files kept open, whatever the limit.
constexpr uint64_t min_open_segment_files = 16;

// Raises the open-file limit as far as allowed, then sizes the cache of open segment files:
// storage.max_open_segment_files, or half the limit. False (logged) when the setting asks
// for more than the limit leaves.
bool configure_open_files(const server_config& config) {
  auto before = current_descriptor_limit();
  auto limit = raise_descriptor_limit();
  if (!limit) {
    log::warn("cannot read the open-file limit: {}", limit.error().message());
    if (config.max_open_segment_files > 0) {
      storage::open_file_cache::process().set_capacity(
          static_cast<size_t>(config.max_open_segment_files));
    }
    return true;
  }
  if (before && before->soft < limit->soft) {
    log::info("open-file limit raised from {} to {} (the hard limit)", before->soft, limit->soft);
  }
  uint64_t files = std::max(min_open_segment_files, limit->soft / 2);
  if (config.max_open_segment_files > 0) {
    files = static_cast<uint64_t>(config.max_open_segment_files);
    if (files + descriptor_reserve > limit->soft) {
      log::error(
          "storage.max_open_segment_files is {} but this process may open only {} files (hard "
          "limit {}), {} of them kept for connections and the rest: lower the setting to at "
          "most {}, set it to 0 (half the limit), or raise the limit (ulimit -n, systemd "
          "LimitNOFILE=, docker run --ulimit nofile=)",
          files, limit->soft, limit->hard, descriptor_reserve,
          limit->soft > descriptor_reserve ? limit->soft - descriptor_reserve : 0);
      return false;
    }
  }
  storage::open_file_cache::process().set_capacity(static_cast<size_t>(files));
  log::info("segment files: up to {} open at once (open-file limit {})", files, limit->soft);
  return true;
}

// The settings in `config` as a --config file: one dotted key per line, in table order,
// each with its flag and environment variable in a comment.
void print_config(const server_config& config, std::ostream& out) {
  out << "# brook serve --print-config: the settings in effect (defaults, then the --config "
         "file,\n# the BROOK_* environment, the flags). brook serve --config reads it back.\n";
  for (const auto& s : server_settings()) {
    out << s.key << " = ";
    if (s.is_string) {
      out << toml::value<std::string>(s.format(config));
    } else {
      out << s.format(config);
    }
    out << "  # " << s.flag << ", " << s.env_name() << "\n";
  }
}

// The administrator from the configuration: security.admin_password creates
// security.admin_user when absent; security.bootstrap_admin creates it with a random
// password, printed once, when there are no users at all. False (logged) on a store error.
bool ensure_admin(const security_settings& s, security::user_directory& users) {
  std::string password;
  bool generated = false;
  if (!s.admin_password.empty()) {
    if (!users.list().contains(s.admin_user)) {
      password = s.admin_password;
    } else {
      log::info(
          "security.admin_password is set but user {} exists: its password is left as it is "
          "(change it with brook user passwd)",
          s.admin_user);
    }
  } else if (s.bootstrap_admin && users.empty()) {
    password = base64_encode(security::random_bytes(18));
    generated = true;
  }
  if (password.empty()) {
    return true;
  }
  for (auto m : {security::scram_mechanism::sha256, security::scram_mechanism::sha512}) {
    if (auto st = users.put(s.admin_user, security::scram_credential_from_password(m, password));
        !st) {
      log::error("cannot create the admin user: {}", st.error().message());
      return false;
    }
  }
  log::info("created user {} (SCRAM-SHA-256, SCRAM-SHA-512)", s.admin_user);
  if (generated) {
    // Once, on the terminal, never in the log.
    std::fprintf(stderr,
                 "\nbrook: created the first user '%s' with password\n\n    %s\n\nKeep it: it "
                 "is not shown again (change it with `brook user passwd`).\n\n",
                 s.admin_user.c_str(), password.c_str());
  }
  return true;
}

// The audit log over `events`: audit.topic created when absent (one partition, retention
// audit.retention_ms), records appended with acks=all. Null (logged) when the topic cannot
// be made.
std::unique_ptr<security::audit_log> start_audit(const audit_settings& settings,
                                                 backend::event_backend& events) {
  backend::new_topic t;
  t.name = settings.topic;
  t.partitions = 1;
  t.configs = {{"retention.ms", std::to_string(settings.retention.count())},
               {"cleanup.policy", "delete"}};
  std::promise<std::optional<std::string>> made;
  events.create_topic(t, [&made](const backend::outcome<backend::topic_info>& r) {
    made.set_value(r || r.error().code == protocol::kafka_error::topic_already_exists
                       ? std::nullopt
                       : std::optional<std::string>(r.error().message));
  });
  if (auto problem = made.get_future().get()) {
    log::error("cannot create the audit topic {}: {}", settings.topic, *problem);
    return nullptr;
  }
  const std::string topic = settings.topic;
  return std::make_unique<security::audit_log>([&events, topic](std::vector<std::string> records,
                                                                std::function<void(bool)> done) {
    std::vector<backend::produce_record> batch;
    batch.reserve(records.size());
    for (auto& r : records) {
      backend::produce_record pr;
      pr.value = std::move(r);
      batch.push_back(std::move(pr));
    }
    events.produce(
        topic, std::move(batch),
        [done = std::move(done)](std::vector<backend::produce_result> results) {
          done(std::all_of(results.begin(), results.end(), [](const auto& r) { return !r.error; }));
        });
  });
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, serve_options& o) {
  auto* serve = app.add_subcommand("serve", "Run the broker with its data in one directory");
  serve->footer(
      "Every flag is also a key of the --config file and a BROOK_* environment variable "
      "(doc/configuration.md). Flags override the environment, which overrides the file.");
  serve->add_option("-c,--config", o.config_file, "TOML configuration file")->type_name("PATH");
  serve->add_flag("--print-config", o.print_config,
                  "Print the settings in effect (as a --config file) and exit");
  const auto& settings = server_settings();
  o.values.assign(settings.size(), {});
  o.flags.clear();
  for (size_t i = 0; i < settings.size(); ++i) {
    const auto& s = settings[i];
    auto help = std::string(s.help);
    if (auto d = s.default_value(); !d.empty()) {
      help += " (default " + d + ")";
    }
    auto* flag = serve->add_option(std::string(s.flag), o.values[i], help)->type_name(s.type);
    if (s.type == "true|false") {
      flag->expected(0, 1);  // a bare boolean flag means true
    }
    o.flags.push_back(flag);
  }
  return serve;
}

int run_serve_command(const serve_options& o, const std::function<const char*(const char*)>& getenv,
                      std::ostream& out, std::ostream& err) {
  std::optional<std::filesystem::path> file;
  if (!o.config_file.empty()) {
    file = o.config_file;
  }
  auto loaded = load_config(file, getenv);
  if (!loaded) {
    err << "brook: configuration: " << loaded.error() << "\n";
    return 2;
  }
  server_config& config = *loaded;
  const auto& settings = server_settings();
  for (size_t i = 0; i < settings.size(); ++i) {
    if (o.flags[i]->count() == 0) {
      continue;
    }
    std::string value = o.values[i];
    if (value.empty() && settings[i].type == "true|false") {
      value = "true";
    }
    if (auto set = set_config_value(config, std::string(settings[i].key), value); !set) {
      err << "brook: " << settings[i].flag << ": " << set.error() << "\n";
      return 2;
    }
  }
  if (auto checked = check_server_config(config); !checked) {
    err << "brook: configuration: " << checked.error() << "\n";
    return 2;
  }
  if (o.print_config) {
    print_config(config, out);
    return 0;
  }
  log::set_level(config.log_level);
  log::set_format(config.log_format);
  return run_serve(config);
}

int run_serve(const server_config& config) {
  auto started = std::chrono::steady_clock::now();
  // Signals are taken synchronously by this thread; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);  // reload the TLS certificate
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A peer that closes its socket while an answer is being written (sendfile has no
  // MSG_NOSIGNAL) must cost only that connection: writes then fail with EPIPE.
  signal(SIGPIPE, SIG_IGN);

  // One server per data directory: the lock comes before anything in it is opened, and
  // is released last (it is destroyed after everything below).
  auto dir_lock = storage::data_dir_lock::acquire(config.data_dir);
  if (!dir_lock) {
    if (dir_lock.error() == storage::errc::data_dir_locked) {
      auto pid = storage::data_dir_lock::holder(config.data_dir);
      auto lock_file = (config.data_dir / storage::data_dir_lock::file_name).string();
      log::error(
          "data directory {} is in use by another brook serve ({}holding {}): stop that one "
          "or give this one another --data-dir",
          config.data_dir.string(), pid ? fmt::format("pid {}, ", *pid) : std::string(), lock_file);
    } else {
      log::error("cannot open data directory {}: cannot lock {}: {}", config.data_dir.string(),
                 (config.data_dir / storage::data_dir_lock::file_name).string(),
                 dir_lock.error().message());
    }
    return 1;
  }

  if (!configure_open_files(config)) {
    return 1;
  }

  storage::log_manager logs({config.data_dir, config.storage,
                             storage::log_manager::default_recovery_threads(),
                             static_cast<size_t>(config.log_cleaner_map_bytes)});
  auto summary = logs.open_all();
  if (!summary) {
    log::error("cannot open data directory {}: {}", config.data_dir.string(),
               summary.error().message());
    return 1;
  }
  log::info(
      "data directory {}: {} partitions ({} clean, {:.1f} MiB checked, {} segments scanned "
      "whole, {} indexes rebuilt, {} torn tails cut, {} corrupt segments quarantined) in "
      "{:.1f} ms",
      config.data_dir.string(), summary->partitions, summary->clean,
      static_cast<double>(summary->bytes_scanned) / (1 << 20), summary->segments_scanned,
      summary->indexes_rebuilt, summary->tails_truncated, summary->segments_quarantined,
      summary->elapsed.count() / 1000.0);

  auto store = storage::metadata_store::open(config.data_dir / storage::metadata_store::file_name);
  if (!store) {
    log::error("cannot open the metadata store in {}: {}", config.data_dir.string(),
               store.error().message());
    return 1;
  }
  broker::topic_table topics(logs, **store, config.storage,
                             {config.kafka.max_partitions_per_topic, config.kafka.max_partitions});
  if (auto st = topics.load(); !st) {
    log::error("cannot load topics: {}", st.error().message());
    return 1;
  }
  auto users = security::user_directory::open(config.data_dir);
  if (!users) {
    log::error("cannot open the credential store in {}: {}", config.data_dir.string(),
               users.error().message());
    return 1;
  }
  if (!ensure_admin(config.security, **users)) {
    return 1;
  }
  // Bearer tokens (SASL OAUTHBEARER, HTTP Bearer): Brook's own (an agent's key login,
  // token-signing-key.pem) and, when one is set, the OpenID Connect issuer's, whose keys are
  // fetched in the background from here on.
  security::local_token_issuer::options own_tokens;
  own_tokens.lifetime =
      std::chrono::duration_cast<std::chrono::seconds>(config.registry.token_lifetime);
  auto local_tokens = security::local_token_issuer::open(config.data_dir, **users, own_tokens);
  if (!local_tokens) {
    log::error("cannot set up Brook's token signing key: {}", local_tokens.error());
    return 1;
  }
  std::vector<security::trusted_issuer> issuers{(*local_tokens)->trusted()};
  std::unique_ptr<security::oidc_keys> issuer_keys;
  if (!config.oidc.issuer.empty()) {
    issuer_keys = std::make_unique<security::oidc_keys>(config.oidc);
    issuer_keys->start();
    security::jwt_rules rules = config.token_rules;
    rules.issuer = config.oidc.issuer;
    issuers.push_back({std::move(rules), issuer_keys.get(), {}});
  }
  auto tokens = std::make_unique<security::jwt_validator>(std::move(issuers));
  security::sasl_authenticator sasl(**users, config.security.sasl_mechanisms, tokens.get());
  auto listeners = listeners_of(config);
  if (!listeners) {
    log::error("{}", listeners.error());
    return 1;
  }
  security::acl_authorizer_options acl_options;
  acl_options.super_users = config.security.super_users;
  const bool http_logins = http_logins_required(config);
  if (config.security.allow_everyone_if_no_acl_found == "auto") {
    // Everything when nobody logs in anywhere; nothing once logins exist.
    acl_options.allow_everyone_if_no_acl_found =
        !http_logins && std::none_of(listeners->begin(), listeners->end(),
                                     [&config](const broker::listener_config& l) {
                                       return authenticates(config, l);
                                     });
  } else {
    acl_options.allow_everyone_if_no_acl_found =
        config.security.allow_everyone_if_no_acl_found == "true";
  }
  auto acls = security::acl_authorizer::open(config.data_dir, acl_options);
  if (!acls) {
    log::error("cannot open the ACL store in {}: {}", config.data_dir.string(),
               acls.error().message());
    return 1;
  }
  broker::broker_config kafka_config = config.kafka;
  kafka_config.listeners = *listeners;
  auto b = broker::broker::open(kafka_config, config.data_dir, logs, topics);
  if (!b) {
    log::error("cannot start the broker: {}", b.error().message());
    return 1;
  }
  const auto& gc = config.kafka.groups;
  if (gc.min_session_timeout_ms > gc.max_session_timeout_ms) {
    log::error("groups.min_session_timeout_ms ({}) is above groups.max_session_timeout_ms ({})",
               gc.min_session_timeout_ms, gc.max_session_timeout_ms);
    return 1;
  }
  auto group_store =
      storage::group_store::open(config.data_dir / storage::group_store::file_name,
                                 config.storage.durability == storage::durability::sync);
  if (!group_store) {
    log::error("cannot open the group store in {}: {}", config.data_dir.string(),
               group_store.error().message());
    return 1;
  }
  // The Kafka network threads; the coordinator's deadlines run on them too.
  net::io_pool kafka_io("kafka-io", config.kafka.threads);
  auto groups = broker::group::group_coordinator::open(
      gc, **group_store,
      [&topics](const std::string& topic, int32_t partition) {
        auto t = topics.find(topic);
        return t && t->partition(partition) != nullptr;
      },
      kafka_io.next_executor());
  if (!groups) {
    log::error("cannot load the consumer groups: {}", groups.error().message());
    return 1;
  }
  (*b)->set_groups(**groups);
  // The transaction coordinator: after the groups (a commit's offsets go to them) and the
  // logs (transactions decided before a restart are completed now).
  auto transactions = broker::txn::txn_coordinator::open(
      config.kafka.transactions, **group_store, **groups,
      [&topics](const std::string& topic, int32_t partition) {
        auto t = topics.find(topic);
        return t ? t->partition(partition) : nullptr;
      },
      [broker = b->get()] { return broker->allocate_producer_id(); }, kafka_io.next_executor());
  if (!transactions) {
    log::error("cannot load the transactions: {}", transactions.error().message());
    (*groups)->stop();
    return 1;
  }
  (*b)->set_transactions(**transactions);
  (*b)->set_users(**users);
  (*b)->set_sasl(sasl);
  (*b)->set_acls(**acls);
  // The event backend the HTTP layer and the audit log work over: the in-process broker's.
  backend::local_backend events(**b);
  // Failed-login limits and the audit topic (audit.*): every login on either port and
  // every refused request goes through `logins` and the authorizer's denial observer.
  security::login_limiter login_limits(config.security.failed_logins);
  std::unique_ptr<security::audit_log> audit;
  if (audit_enabled(config)) {
    audit = start_audit(config.audit, events);
    if (!audit) {
      (*groups)->stop();
      (void)logs.close_all();
      return 1;
    }
    (*acls)->on_denial([log = audit.get()](const security::principal& who, std::string_view host,
                                           security::acl_operation op,
                                           const security::acl_resource& resource) {
      security::audit_event e;
      e.event = "authorization";
      e.outcome = "denied";
      e.client = std::string(host.substr(host.starts_with('/') ? 1 : 0));
      e.principal = who.to_string();
      e.operation = std::string(security::acl_operation_name(op));
      e.resource_type = std::string(security::resource_type_name(resource.type));
      e.resource_name = std::string(resource.name);
      log->record(e);
    });
  }
  security::login_guard logins(login_limits, audit.get());
  (*b)->set_logins(logins);
  // The certificate of TLS listeners and of HTTPS, read once here and again on SIGHUP.
  // HTTPS asks for no client certificate (HTTP logs in with Basic; probes have none).
  std::shared_ptr<net::tls_context> tls;
  std::shared_ptr<net::tls_context> https;
  auto load_tls = [&](net::tls_config c, std::shared_ptr<net::tls_context>& out) {
    auto loaded = net::tls_context::load(std::move(c));
    if (!loaded) {
      log::error("cannot set up TLS: {}", loaded.error());
      return false;
    }
    out = std::move(*loaded);
    return true;
  };
  net::tls_config https_config = config.tls;
  https_config.clients = net::client_auth::none;
  if ((std::any_of((*b)->listeners().begin(), (*b)->listeners().end(),
                   [](const auto& l) { return broker::uses_tls(l.protocol); }) &&
       !load_tls(config.tls, tls)) ||
      (config.http_tls && !load_tls(https_config, https))) {
    (*groups)->stop();
    (void)logs.close_all();
    return 1;
  }
  std::vector<std::unique_ptr<broker::server>> kafka;
  for (const auto& l : (*b)->listeners()) {
    auto& server = kafka.emplace_back(std::make_unique<broker::server>(
        **b, kafka_io, l, broker::uses_tls(l.protocol) ? tls : nullptr));
    if (auto st = server->start(); !st) {
      log::error("cannot listen on {}:{} (listener {}): {}", l.host, l.port, l.name,
                 st.error().message());
      for (auto& s : kafka) {
        s->stop();
      }
      (*groups)->stop();
      (void)logs.close_all();
      return 1;
    }
    (*b)->set_bound_port(l.name, server->port());
  }
  auto stop_kafka = [&kafka] {
    for (auto& s : kafka) {
      s->stop();
    }
  };
  // Storage housekeeping on a thread of its own, off the network threads (each round may
  // take seconds of disk work): retention (segment deletion) every
  // storage.retention_check_interval_ms, the recovery checkpoints every
  // storage.recovery_checkpoint_interval_ms, and, while the data directory takes no
  // writes, a probe each second that finds when it does again (/readyz follows it even
  // when no producer tries). Stopped before the logs close.
  net::io_pool housekeeping("housekeeping", 1);
  net::periodic_timer retention(housekeeping.next_executor(), config.retention_check_interval,
                                [&logs] { logs.enforce_retention(); });
  net::periodic_timer checkpoints(housekeeping.next_executor(), config.recovery_checkpoint_interval,
                                  [&logs] { logs.checkpoint_all(); });
  broker::write_health& writes = (*b)->writes();
  net::periodic_timer write_probe(housekeeping.next_executor(), std::chrono::seconds(1),
                                  [&writes] { writes.probe(); });
  // The log cleaner (compacted topics) on one more thread: a clean reads and rewrites
  // whole segments, and must not hold up the checkpoints or the write probe.
  net::io_pool cleaner("log-cleaner", 1);
  net::periodic_timer cleaning(cleaner.next_executor(), config.log_cleaner_interval,
                               [&logs] { logs.clean_all(); });
  auto stop_housekeeping = [&] {
    logs.stop_cleaning();
    cleaning.stop();
    cleaner.stop();
    cleaner.join();
    retention.stop();
    checkpoints.stop();
    write_probe.stop();
    housekeeping.stop();
    housekeeping.join();
  };
  // A listener that cannot start after the Kafka listeners did: what runs stops, as at
  // shutdown, and brook serve exits 1.
  auto abandon_start = [&] {
    stop_kafka();
    stop_housekeeping();
    kafka_io.stop();
    kafka_io.join();
    (*groups)->stop();
    (void)logs.close_all();
    return 1;
  };
  retention.start();
  checkpoints.start();
  write_probe.start();
  cleaning.start();
  housekeeping.start();
  cleaner.start();
  kafka_io.start();

  // The connectors (connect.enabled), over the same backend: their definitions from
  // connect.topic and the configuration file, each a worker of its own, acting as its own
  // principal under the ACLs. Before HTTP, which manages them; stopped before it.
  std::unique_ptr<connect::connect_runtime> connectors;
  if (config.connect.enabled) {
    connectors = std::make_unique<connect::connect_runtime>(
        events, connect::connect_environment{config.data_dir, acls->get()}, config.connect.topic);
    std::vector<connect::connector_record> declared;
    for (const auto& d : config.connect.connectors) {
      declared.push_back({d.name, d.config, false});
    }
    if (auto started_connect = connectors->start(declared); !started_connect) {
      log::error("cannot start the connectors: {}", started_connect.error().message);
      connectors->stop();
      return abandon_start();
    }
  }
  auto stop_connectors = [&connectors] {
    if (connectors) {
      connectors->stop();
    }
  };

  // The agent registry (doc/registry.md): registry.db, and what a crash left half-done
  // undone before /v1/agents serves.
  auto agent_store =
      app::sqlite_agent_store::open(config.data_dir / app::sqlite_agent_store::file_name);
  if (!agent_store) {
    log::error("cannot open the agent registry in {}: {}", config.data_dir.string(),
               agent_store.error().message());
    stop_connectors();
    return abandon_start();
  }
  registry::registry_options registry_options;
  registry_options.names = config.registry.names;
  if (audit) {
    registry_options.audit_topic = config.audit.topic;
  }
  registry::agent_registry agents(events, **users, **acls, **agent_store, audit.get(),
                                  registry_options);
  if (auto recovered = agents.recover(); !recovered) {
    log::error("cannot recover the agent registry: {}", recovered.error().message);
    stop_connectors();
    return abandon_start();
  }
  registry::key_login_options key_login_options;
  key_login_options.challenge_lifetime = config.registry.challenge_lifetime;
  registry::agent_key_login key_logins(**agent_store, **local_tokens, &logins, key_login_options);

  // HTTP logins (http.authentication): Basic, with the users of the Kafka port, and Bearer
  // tokens (Brook's own, the OpenID Connect issuer's); limited and audited as Kafka logins are.
  security::password_authenticator passwords(**users);
  // The web console's sessions (POST /v1/session), in memory: a restart logs everyone out.
  // A password login's session ends when the user's credentials change.
  security::user_directory& user_dir = **users;
  security::session_store console_sessions(
      security::session_limits{config.http.session_idle_timeout, config.http.session_lifetime,
                               config.http.max_sessions},
      [&user_dir](std::string_view user) { return user_dir.changed_at(user); },
      [&user_dir] { return user_dir.generation(); });
  // Their single sign-on through the OpenID Connect issuer (oidc.console_client_id).
  std::unique_ptr<security::oidc_login> console_sso;
  if (issuer_keys && !config.console_client_id.empty()) {
    security::oidc_login_settings sso;
    sso.issuer = config.oidc.issuer;
    sso.client_id = config.console_client_id;
    sso.client_secret = config.console_client_secret;
    sso.scopes = config.console_scopes;
    sso.principal_claim = config.token_rules.principal_claim;
    sso.clock_skew = config.token_rules.clock_skew;
    sso.fetch = config.oidc.fetch;
    console_sso = std::make_unique<security::oidc_login>(std::move(sso), *issuer_keys);
  }
  const http::http_authentication http_logins_checked =
      http_logins ? http::http_authentication(passwords, tokens.get(), &logins, &console_sessions,
                                              console_sso.get())
                  : http::http_authentication();
  // What the console's Overview and Topics pages show (GET /v1/overview, /v1/topics): the
  // listeners as bound, and a sampler of the partitions' traffic.
  std::vector<backend::listener_summary> bound_listeners;
  for (const auto& server : kafka) {
    const auto& l = server->config();
    const auto& advertised = (*b)->advertised_endpoint(l.name);
    bound_listeners.push_back({l.name, std::string(broker::security_protocol_name(l.protocol)),
                               l.host, server->port(), advertised.host, advertised.port});
  }
  backend::broker_overview overview(**b, std::move(bound_listeners));
  // What GET /metrics shows (metrics.enabled), read from the parts at each scrape.
  metrics_registry metrics;
  // The REST Proxy over it.
  std::unique_ptr<http::rest_service> rest;
  metrics_registry::registration collected;
  if (config.http.enabled) {
    // The name clients are told for the Kafka listener is this server's name for HTTP too.
    http::http_config http_config = config.http;
    http_config.slow_request = config.kafka.slow_request;  // log_slow_request_ms: both ports
    if (!config.kafka.advertised_host.empty()) {
      http_config.allowed_hosts.push_back(config.kafka.advertised_host);
    }
    for (const auto& l : (*b)->listeners()) {
      if (!l.advertised_host.empty()) {
        http_config.allowed_hosts.push_back(l.advertised_host);
      }
    }
    auto started_rest =
        http::rest_service::start(http_config, events, **acls, http_logins_checked, https,
                                  config.metrics.enabled ? &metrics : nullptr, connectors.get(),
                                  &agents, &key_logins, &overview);
    if (!started_rest) {
      log::error("cannot listen for HTTP on {}:{}: {}", config.http.host, config.http.port,
                 started_rest.error().message());
      stop_connectors();
      return abandon_start();
    }
    rest = std::move(*started_rest);
    log::info("http listener on {}:{} (REST Proxy v2 and v3), {}, {}", config.http.host,
              rest->port(), config.http_tls ? "https" : "http",
              !http_logins ? "no logins" : "logins required (HTTP Basic or Bearer)");
  }
  collected = app::add_server_metrics(metrics, **b, kafka, rest, audit.get(), connectors.get());
  // GET /metrics alone on a port of its own (metrics.port), behind the same logins.
  std::unique_ptr<http::metrics_listener> metrics_http;
  if (config.metrics.enabled && config.metrics.port >= 0) {
    http::http_config m = config.http;
    m.host = config.metrics.host;
    m.port = static_cast<uint16_t>(config.metrics.port);
    m.threads = 1;
    auto started_metrics = http::metrics_listener::start(m, **acls, http_logins_checked, metrics);
    if (!started_metrics) {
      log::error("cannot listen for metrics on {}:{}: {}", m.host, m.port,
                 started_metrics.error().message());
      stop_connectors();  // before the REST service stops the backend they commit through
      if (rest) {
        rest->stop();
      }
      collected.reset();
      rest.reset();
      return abandon_start();
    }
    metrics_http = std::move(*started_metrics);
    log::info("metrics listener on {}:{} (GET /metrics), {}", m.host, metrics_http->port(),
              http_logins ? "logins required" : "no logins");
  }

  auto ready =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  for (const auto& s : kafka) {
    const auto& l = s->config();
    const auto& advertised = (*b)->advertised_endpoint(l.name);
    log::info("kafka listener on {}:{} (advertised {}:{}): {}, {}", l.host, s->port(),
              advertised.host, advertised.port, l.name, broker::security_protocol_name(l.protocol));
  }
  log::info("{} topics, {} users, {} ACLs ({} when none applies), cluster id {}", topics.size(),
            (*users)->list().size(), (*acls)->size(),
            acl_options.allow_everyone_if_no_acl_found ? "allow" : "deny", (*b)->cluster_id());
  log::info("brook ready in {:.1f} ms (durability {}, crc32c {})", ready.count(),
            config.storage.durability == storage::durability::sync ? "sync" : "interval",
            crc32c::hardware_accelerated() ? "sse4.2" : "portable");

  int sig = 0;
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    if (!tls && !https) {
      log::info("SIGHUP received: nothing to reload (no TLS)");
      continue;
    }
    // New connections get the new certificate; open ones keep theirs.
    for (const auto& context : {tls, https}) {
      if (!context) {
        continue;
      }
      if (auto reloaded = context->reload(); !reloaded) {
        log::error("SIGHUP: the TLS certificate was not reloaded, the old one stays: {}",
                   reloaded.error());
      } else {
        log::info("SIGHUP: TLS certificate reloaded from {}", config.tls.cert_file.string());
      }
    }
  }
  log::info("{} received, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
  // The connectors first: each flushes and commits what its destination holds, through
  // the backend the REST service stops. Then the network: no append may start once the
  // logs close. HTTP goes before Kafka: the REST consumer instances leave their groups
  // through the Kafka listener.
  stop_connectors();
  if (metrics_http) {
    metrics_http->stop();
  }
  if (rest) {
    rest->stop();
  }
  collected.reset();  // the last scrape is over
  metrics_http.reset();
  rest.reset();
  // What the last requests recorded reaches the audit topic before the broker stops.
  if (audit) {
    audit->stop();
  }
  events.stop();
  stop_kafka();
  stop_housekeeping();
  kafka_io.stop();
  kafka_io.join();
  (*transactions)->stop();
  (*groups)->stop();
  transactions->reset();
  groups->reset();
  group_store->reset();  // writes what is queued, then closes groups.db
  if (auto st = logs.close_all(); !st) {
    log::error("shutdown incomplete: {}", st.error().message());
    return 1;
  }
  log::info("shut down cleanly");
  return 0;
}

}  // namespace brook::app
