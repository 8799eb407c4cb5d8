// broker: what every Kafka API handler works with: the configuration, the topics, the
// partition logs, the cluster id and the producer id allocator. One per `brook serve`.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "broker/broker_config.h"
#include "broker/kafka_metrics.h"
#include "broker/service/produce_service.h"
#include "broker/service/topic_service.h"
#include "broker/service/write_health.h"
#include "broker/topic_table.h"
#include "security/acl_authorizer.h"
#include "security/authorizer.h"
#include "security/login_guard.h"
#include "security/sasl_authenticator.h"
#include "security/user_directory.h"
#include "storage/log_manager.h"

namespace brook::broker {

namespace group {
class group_coordinator;
}
namespace txn {
class txn_coordinator;
}

class broker {
 public:
  // Reads (or creates) the cluster id and the producer id block under `data_dir`.
  static result<std::unique_ptr<broker>> open(broker_config config,
                                              const std::filesystem::path& data_dir,
                                              storage::log_manager& logs, topic_table& topics);

  const broker_config& config() const { return _config; }
  topic_table& topics() { return _topics; }
  storage::log_manager& logs() { return _logs; }
  // The data directory: the one log directory (DescribeLogDirs).
  const std::filesystem::path& data_dir() const { return _data_dir; }
  const std::string& cluster_id() const { return _cluster_id; }
  int32_t node_id() const { return _config.node_id; }
  // The listeners (config().listeners, or the one of host:port when none is given).
  const std::vector<listener_config>& listeners() const { return _listeners; }
  // Where clients of the first listener are told to connect.
  const std::string& advertised_host() const { return _endpoints.front().host; }
  int32_t advertised_port() const { return _endpoints.front().port; }
  // Where clients of the listener `name` are told to connect (the first listener's for
  // an unknown name).
  const listener_endpoint& advertised_endpoint(std::string_view name) const;
  // Called once a listener is bound (its port may have been 0), before the network runs.
  void set_bound_port(std::string_view listener, uint16_t port);
  // The port the first Kafka listener is bound to (0 before it is).
  uint16_t bound_port() const { return _bound_port; }

  // A fresh producer id, never handed out before (ids are reserved durably in blocks).
  result<int64_t> allocate_producer_id();

  // The topic administration service: create, delete, reconfigure (every policy once).
  topic_service& topic_admin() { return _topic_admin; }
  // Appends records to partitions (Produce and the local backend's produce).
  produce_service& appender() { return _appender; }
  // What the Kafka port served (/metrics); connections record every answer in it.
  kafka_metrics& metrics() { return _metrics; }
  const kafka_metrics& metrics() const { return _metrics; }
  // Whether the data directory takes writes (/readyz; probed by a timer while it does not).
  write_health& writes() { return _writes; }

  // The one authorizer every request asks (allows everything until ACLs exist). A
  // replacement is set once at start-up, before the listener starts, and outlives the broker.
  const security::authorizer& authorizer() const { return *_authorizer; }
  void set_authorizer(const security::authorizer& a) { _authorizer = &a; }
  // The ACL authorizer, whose bindings CreateAcls, DescribeAcls and DeleteAcls manage
  // (null: none, those APIs answer SECURITY_DISABLED). Set with set_acls at start-up; it
  // becomes the authorizer too.
  security::acl_authorizer* acls() { return _acls; }
  void set_acls(security::acl_authorizer& a) {
    _acls = &a;
    _authorizer = &a;
  }

  // The users who may log in (set once at start-up, before the listeners start).
  security::user_directory& users() { return *_users; }
  const security::user_directory* user_directory() const { return _users; }
  void set_users(security::user_directory& u) { _users = &u; }
  // Starts SASL exchanges on SASL listeners (set at start-up; null: no SASL listener).
  const security::sasl_authenticator* sasl() const { return _sasl; }
  void set_sasl(const security::sasl_authenticator& a) { _sasl = &a; }

  // Where logins are limited and audited (set at start-up; null: neither).
  security::login_guard* logins() const { return _logins; }
  void set_logins(security::login_guard& g) { _logins = &g; }

  // The consumer-group coordinator (set once at start-up, before the listener starts).
  group::group_coordinator& groups() { return *_groups; }
  void set_groups(group::group_coordinator& g) { _groups = &g; }

  // The transaction coordinator (set once at start-up; null: none, transactional
  // requests are answered COORDINATOR_NOT_AVAILABLE).
  txn::txn_coordinator* transactions() { return _transactions; }
  void set_transactions(txn::txn_coordinator& t) { _transactions = &t; }

 private:
  broker(broker_config config, std::filesystem::path data_dir, storage::log_manager& logs,
         topic_table& topics);

  broker_config _config;
  std::filesystem::path _data_dir;
  storage::log_manager& _logs;
  topic_table& _topics;
  std::string _cluster_id;
  std::vector<listener_config> _listeners;
  std::vector<listener_endpoint> _endpoints;  // advertised, one per listener
  uint16_t _bound_port = 0;
  std::mutex _pid_mutex;
  int64_t _next_pid = 0;
  int64_t _pid_block_end = 0;  // ids below this are reserved on disk
  group::group_coordinator* _groups = nullptr;
  txn::txn_coordinator* _transactions = nullptr;
  topic_service _topic_admin{*this};
  write_health _writes;
  kafka_metrics _metrics;
  produce_service _appender{_writes};
  security::user_directory* _users = nullptr;
  security::acl_authorizer* _acls = nullptr;
  const security::sasl_authenticator* _sasl = nullptr;
  security::login_guard* _logins = nullptr;
  security::allow_all_authorizer _allow_all;
  const security::authorizer* _authorizer = &_allow_all;
};

}  // namespace brook::broker
