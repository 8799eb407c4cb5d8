#include "broker/service/topic_service.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "base/log.h"
#include "base/text.h"
#include "broker/broker.h"
#include "broker/error_mapping.h"
#include "broker/group/group_coordinator.h"
#include "protocol/topic_name.h"
#include "storage/partition_log.h"
#include "storage/topic_config.h"

namespace brook::broker {

namespace {
using protocol::kafka_error;
using protocol::kafka_failure;

constexpr int32_t default_partitions = -1;
constexpr int16_t default_replication_factor = -1;

kafka_failure no_such_topic(const std::string& name) {
  return {kafka_error::unknown_topic_or_partition, "The topic '" + name + "' does not exist."};
}

// The checks of a creation request that topic_table::create does not make: one node's
// replication, no assignments, partition count, config values present.
protocol::kafka_result<void> check(const topic_request& t) {
  if (t.manual_assignments) {
    return kafka_failure{kafka_error::invalid_request,
                         "Manual replica assignments are not supported: Brook is a single "
                         "node. Give num_partitions and replication_factor (1 or -1) instead."};
  }
  if (t.replication_factor != default_replication_factor && t.replication_factor < 1) {
    return kafka_failure{kafka_error::invalid_replication_factor,
                         "Replication factor must be larger than 0, or -1 to use the default "
                         "value."};
  }
  if (t.replication_factor > 1) {
    return kafka_failure{kafka_error::invalid_replication_factor,
                         "Replication factor: " + std::to_string(t.replication_factor) +
                             " larger than available brokers: 1. Brook is a single node; use "
                             "1 or -1."};
  }
  if (t.partitions != default_partitions && t.partitions < 1) {
    return kafka_failure{kafka_error::invalid_partitions,
                         "Number of partitions must be larger than 0, or -1 to use the default "
                         "value."};
  }
  for (const auto& [name, value] : t.configs) {
    if (!value) {
      return kafka_failure{kafka_error::invalid_config,
                           "Null value not supported for topic configs: " + name};
    }
  }
  return {};
}

// Applies `alterations` to `overrides` (the topic's current ones; `current` lists every
// key's type and effective value).
protocol::kafka_result<void> apply(const std::vector<config_alteration>& alterations,
                                   const std::vector<storage::topic_config_entry>& current,
                                   std::map<std::string, std::string>& overrides) {
  for (const auto& c : alterations) {
    if (c.op == config_op::remove) {
      overrides.erase(c.name);
      continue;
    }
    if (c.op != config_op::set && c.op != config_op::append && c.op != config_op::subtract) {
      return kafka_failure{kafka_error::invalid_request,
                           "Unknown config operation " + std::to_string(static_cast<int>(c.op)) +
                               " for config key: " + c.name};
    }
    if (!c.value) {
      return kafka_failure{kafka_error::invalid_request, "Null value not supported for: " + c.name};
    }
    if (c.op == config_op::set) {
      overrides[c.name] = *c.value;
      continue;
    }
    const bool append = c.op == config_op::append;
    auto entry =
        std::find_if(current.begin(), current.end(),
                     [&](const storage::topic_config_entry& e) { return e.name == c.name; });
    if (entry == current.end()) {
      return kafka_failure{kafka_error::invalid_config, "Unknown topic config name: " + c.name};
    }
    if (entry->type != storage::config_type::list) {
      return kafka_failure{kafka_error::invalid_config,
                           std::string("Config value ") + (append ? "append" : "subtract") +
                               " is not allowed for config key: " + c.name};
    }
    auto it = overrides.find(c.name);
    auto elements = split_list(it != overrides.end() ? it->second : entry->value);
    for (const auto& v : split_list(*c.value)) {
      auto pos = std::find(elements.begin(), elements.end(), v);
      if (append && pos == elements.end()) {
        elements.push_back(v);
      } else if (!append) {
        elements.erase(std::remove(elements.begin(), elements.end(), v), elements.end());
      }
    }
    overrides[c.name] = join_list(elements);
  }
  return {};
}

// The topic named for a config change, or why there is none.
protocol::kafka_result<std::shared_ptr<const topic>> config_target(broker& b,
                                                                   const std::string& name) {
  if (auto valid = protocol::validate_topic_name(name); !valid) {
    return valid.error();
  }
  auto t = b.topics().find(name);
  if (!t) {
    return no_such_topic(name);
  }
  return t;
}
}  // namespace

protocol::kafka_result<created_topic> topic_service::create(const topic_request& request) {
  if (auto checked = check(request); !checked) {
    return std::move(checked).error();
  }
  if (protocol::is_internal_topic_name(request.name)) {
    // Kafka's answer (INVALID_REQUEST) and words.
    return kafka_failure{kafka_error::invalid_request,
                         "Creation of internal topic " + request.name + " is prohibited."};
  }
  created_topic out;
  out.name = request.name;
  out.partitions = request.partitions == default_partitions ? _broker.config().default_partitions
                                                            : request.partitions;
  for (const auto& [name, value] : request.configs) {
    out.overrides[name] = *value;
  }
  auto created =
      _broker.topics().create(request.name, out.partitions, out.overrides, request.validate_only);
  if (!created) {
    return std::move(created).error();
  }
  if (*created) {
    out.id = (*created)->id;
    out.overrides = (*created)->overrides;
  }
  return out;
}

protocol::kafka_result<std::shared_ptr<const topic>> topic_service::find_or_create(
    const std::string& name, bool allow_create) {
  return find_or_create(name, [allow_create] { return allow_create; });
}

protocol::kafka_result<std::shared_ptr<const topic>> topic_service::find_or_create(
    const std::string& name, const std::function<bool()>& may_create) {
  if (auto t = _broker.topics().find(name)) {
    return t;
  }
  if (!_broker.config().auto_create_topics || !may_create() ||
      protocol::is_internal_topic_name(name)) {
    return kafka_failure{kafka_error::unknown_topic_or_partition,
                         "This server does not host this topic: " + name};
  }
  auto created = _broker.topics().create(name, _broker.config().default_partitions, {}, false);
  if (!created && created.error().code == kafka_error::topic_already_exists) {
    if (auto t = _broker.topics().find(name)) {
      return t;  // created meanwhile by another request
    }
  }
  return created;
}

protocol::kafka_result<protocol::uuid> topic_service::remove(const std::string& name) {
  if (protocol::is_brook_internal_topic_name(name)) {
    return kafka_failure{kafka_error::invalid_request,
                         "Deletion of internal topic " + name + " is prohibited."};
  }
  protocol::uuid id;
  if (auto t = _broker.topics().find(name)) {
    id = t->id;
  }
  if (auto removed = _broker.topics().remove(name); !removed) {
    return std::move(removed).error();
  }
  // The topic's committed offsets go with it.
  _broker.groups().topic_deleted(name);
  return id;
}

protocol::kafka_result<void> topic_service::create_partitions(const std::string& name,
                                                              int32_t total,
                                                              bool manual_assignments,
                                                              bool validate_only) {
  if (manual_assignments) {
    return kafka_failure{kafka_error::invalid_request,
                         "Manual replica assignments are not supported: Brook is a single "
                         "node. Give only the new partition count."};
  }
  if (auto current = _broker.topics().find(name); current && total == current->partition_count()) {
    return kafka_failure{kafka_error::invalid_partitions,
                         "Topic already has " + std::to_string(total) + " partitions."};
  }
  return _broker.topics().add_partitions(name, total, validate_only);
}

protocol::kafka_result<int64_t> topic_service::delete_records(const std::string& name,
                                                              int32_t partition, int64_t before) {
  auto t = _broker.topics().find(name);
  auto log = t ? t->partition(partition) : nullptr;
  if (!log) {
    return kafka_failure{kafka_error::unknown_topic_or_partition,
                         "This server does not host this topic-partition: " + name + "-" +
                             std::to_string(partition)};
  }
  const int64_t end = log->high_watermark();
  const int64_t offset = before == -1 ? end : before;
  if (offset < 0 || offset > end) {
    return kafka_failure{kafka_error::offset_out_of_range,
                         "Offset " + std::to_string(before) + " is outside " + name + "-" +
                             std::to_string(partition) + "'s offsets [" +
                             std::to_string(log->log_start_offset()) + ", " + std::to_string(end) +
                             "]"};
  }
  if (auto st = log->delete_records_before(offset); !st) {
    log::warn("DeleteRecords {}-{} before {}: {}", name, partition, offset, st.error().message());
    return kafka_failure{to_kafka_error(st.error()), st.error().message()};
  }
  return log->log_start_offset();
}

protocol::kafka_result<void> topic_service::alter_configs(
    const std::string& name, const std::vector<config_alteration>& alterations,
    bool validate_only) {
  auto target = config_target(_broker, name);
  if (!target) {
    return target.error();
  }
  std::set<std::string_view> seen;
  for (const auto& c : alterations) {
    if (!seen.insert(c.name).second) {
      return kafka_failure{kafka_error::invalid_request, "Error due to duplicate config keys"};
    }
  }
  const auto& defaults = _broker.topics().server_defaults();
  return _broker.topics().update_configs(
      name,
      [&](std::map<std::string, std::string>& overrides) {
        auto current = storage::describe_topic_configs(defaults, overrides);
        return apply(alterations, current, overrides);
      },
      validate_only);
}

protocol::kafka_result<void> topic_service::replace_configs(
    const std::string& name, const std::map<std::string, std::string>& overrides,
    bool validate_only) {
  auto target = config_target(_broker, name);
  if (!target) {
    return target.error();
  }
  return _broker.topics().set_configs(name, overrides, validate_only);
}

}  // namespace brook::broker
