// topic_table: the topics the broker serves, each with its id, config overrides, the
// effective log_config and its partitions' logs. The metadata store holds the truth on
// disk; this is its in-memory image, read without copying (a topic is an immutable
// snapshot, replaced whole on change). Changes are serialised by one admin mutex; reads
// take a shared lock only long enough to copy a shared_ptr.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "protocol/kafka_result.h"
#include "protocol/uuid.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"
#include "storage/metadata_store.h"

namespace brook::broker {

struct topic {
  std::string name;
  protocol::uuid id;
  std::map<std::string, std::string> overrides;
  storage::log_config config;
  std::vector<std::shared_ptr<storage::partition_log>> partitions;

  int32_t partition_count() const { return static_cast<int32_t>(partitions.size()); }
  std::shared_ptr<storage::partition_log> partition(int32_t p) const {
    return p >= 0 && p < partition_count() ? partitions[static_cast<size_t>(p)] : nullptr;
  }
};

// How many partitions the broker takes on: checked under the admin lock before a create
// or a CreatePartitions makes anything, so one request cannot take the disk and memory of
// hundreds of thousands of partitions. (Open files are not the limit: segments are opened
// on demand through storage::open_file_cache.)
struct partition_limits {
  int32_t per_topic = 10000;  // kafka.max_partitions_per_topic
  int64_t total = 100000;     // kafka.max_partitions, all topics together
};

class topic_table {
 public:
  topic_table(storage::log_manager& logs, storage::metadata_store& store,
              storage::log_config server_defaults, partition_limits limits = {});

  // Loads the topics of the metadata store and opens their logs. Partition directories
  // with no topic in the store (a data directory written before the store existed) are
  // adopted as topics with default configs.
  status load();

  std::shared_ptr<const topic> find(std::string_view name) const;
  std::shared_ptr<const topic> find(const protocol::uuid& id) const;
  std::vector<std::shared_ptr<const topic>> list() const;
  size_t size() const;
  int64_t partition_total() const;  // over all topics
  const partition_limits& limits() const { return _limits; }

  // Validates and (unless validate_only) creates the topic durably: the store first, then
  // the partition directories; a failure part way removes what was made. Returns the topic
  // created; nullptr when validate_only. Above the per-topic limit: INVALID_PARTITIONS;
  // above the total or the open files left: POLICY_VIOLATION.
  protocol::kafka_result<std::shared_ptr<const topic>> create(
      const std::string& name, int32_t partitions,
      const std::map<std::string, std::string>& overrides, bool validate_only);
  protocol::kafka_result<void> remove(const std::string& name);
  protocol::kafka_result<void> add_partitions(const std::string& name, int32_t new_total,
                                              bool validate_only);
  // Replaces the topic's overrides with `overrides` (validated first).
  protocol::kafka_result<void> set_configs(const std::string& name,
                                           const std::map<std::string, std::string>& overrides,
                                           bool validate_only);
  // Read-modify-write of the topic's overrides under the admin lock, so concurrent changes
  // do not lose each other's keys: `edit` gets the current overrides and changes them (or
  // refuses); the result is validated and applied as set_configs does.
  using config_edit =
      std::function<protocol::kafka_result<void>(std::map<std::string, std::string>&)>;
  protocol::kafka_result<void> update_configs(const std::string& name, const config_edit& edit,
                                              bool validate_only);

  const storage::log_config& server_defaults() const { return _defaults; }

 private:
  result<std::vector<std::shared_ptr<storage::partition_log>>> open_partitions(
      const std::string& name, int32_t from, int32_t to, const storage::log_config& config);
  void publish(std::shared_ptr<const topic> t);
  // Whether `added` more partitions fit the limits (admin lock held).
  protocol::kafka_result<void> check_room(const std::string& name, int32_t topic_total,
                                          int32_t added) const;
  // Removes partitions [from, to) of `name`, made by a change that failed part way.
  void remove_partitions(const std::string& name, int32_t from, int32_t to);

  storage::log_manager& _logs;
  storage::metadata_store& _store;
  const storage::log_config _defaults;
  const partition_limits _limits;
  std::mutex _admin_mutex;  // one change at a time
  mutable std::shared_mutex _mutex;
  std::map<std::string, std::shared_ptr<const topic>, std::less<>> _topics;
  // Guarded by _mutex, kept with _topics so that a creation costs the same whatever the
  // number of topics: each topic's name with '.' as '_' (to find a colliding one), and
  // the partitions of all topics.
  std::map<std::string, std::string, std::less<>> _by_collision_name;
  int64_t _partition_total = 0;
};

}  // namespace brook::broker
