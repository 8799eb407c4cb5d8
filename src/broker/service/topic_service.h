// topic_service: every policy about creating, deleting and reconfiguring topics, once. The
// Kafka handlers (CreateTopics, DeleteTopics, AlterConfigs, IncrementalAlterConfigs) and the
// local event backend (REST Proxy, later the registry and console) both call it, so a rule
// or a message is written in one place, and ACL checks and audit land here once.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/topic_table.h"
#include "protocol/kafka_result.h"
#include "protocol/uuid.h"

namespace brook::broker {

class broker;

// A topic to create, as a client asks for it.
struct topic_request {
  std::string name;
  int32_t partitions = -1;          // -1: the server's default
  int16_t replication_factor = -1;  // -1: the default, which is 1 on one node
  bool manual_assignments = false;  // replica assignments given (refused: one node)
  // Config overrides; a null value is refused (Kafka's CreateTopics can send one).
  std::vector<std::pair<std::string, std::optional<std::string>>> configs;
  bool validate_only = false;
};

// What was created (or, validate_only, would be).
struct created_topic {
  std::string name;
  int32_t partitions = 0;
  protocol::uuid id;  // zero when validate_only
  std::map<std::string, std::string> overrides;
};

// One change to a topic's config overrides (Kafka's AlterConfigOp).
enum class config_op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };

struct config_alteration {
  std::string name;
  config_op op = config_op::set;
  std::optional<std::string> value;  // required but for remove
};

class topic_service {
 public:
  explicit topic_service(broker& b) : _broker(b) {}

  protocol::kafka_result<created_topic> create(const topic_request& request);

  // The topic, created with the server's defaults if absent, `allow_create` and the
  // server's auto-creation on, and the name valid (Produce, Metadata, the REST Proxy).
  // unknown_topic_or_partition when absent and not created.
  protocol::kafka_result<std::shared_ptr<const topic>> find_or_create(const std::string& name,
                                                                      bool allow_create);
  // The same, asking `may_create` (the caller's authorization) only when the topic is absent.
  protocol::kafka_result<std::shared_ptr<const topic>> find_or_create(
      const std::string& name, const std::function<bool()>& may_create);

  // Deletes the topic, its logs and its groups' committed offsets; answers its id.
  protocol::kafka_result<protocol::uuid> remove(const std::string& name);

  // Grows the topic to `total` partitions (Kafka's CreatePartitions; never shrinks).
  protocol::kafka_result<void> create_partitions(const std::string& name, int32_t total,
                                                 bool manual_assignments, bool validate_only);

  // Deletes the partition's records before `before` (-1: the high watermark); answers the
  // new log start offset (Kafka's DeleteRecords).
  protocol::kafka_result<int64_t> delete_records(const std::string& name, int32_t partition,
                                                 int64_t before);

  // Applies the alterations to the topic's current overrides as one change (all or none),
  // atomically with respect to other config changes. A key may appear once.
  protocol::kafka_result<void> alter_configs(const std::string& name,
                                             const std::vector<config_alteration>& alterations,
                                             bool validate_only);

  // Replaces the topic's overrides as a whole (Kafka's non-incremental AlterConfigs).
  protocol::kafka_result<void> replace_configs(const std::string& name,
                                               const std::map<std::string, std::string>& overrides,
                                               bool validate_only);

 private:
  broker& _broker;
};

}  // namespace brook::broker
