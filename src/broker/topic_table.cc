#include "broker/topic_table.h"

#include <set>

#include "base/log.h"
#include "protocol/topic_name.h"
#include "storage/topic_config.h"

namespace brook::broker {

using protocol::kafka_error;
using protocol::kafka_failure;
using protocol::kafka_result;

namespace {
protocol::uuid to_uuid(const storage::topic_id& id) {
  protocol::uuid u;
  u.bytes = id;
  return u;
}

kafka_failure store_error(const std::error_code& ec) {
  return {kafka_error::kafka_storage_error, ec.message()};
}
}  // namespace

topic_table::topic_table(storage::log_manager& logs, storage::metadata_store& store,
                         storage::log_config server_defaults, partition_limits limits)
    : _logs(logs), _store(store), _defaults(std::move(server_defaults)), _limits(limits) {}

kafka_result<void> topic_table::check_room(const std::string& name, int32_t topic_total,
                                           int32_t added) const {
  if (topic_total > _limits.per_topic) {
    return kafka_failure{kafka_error::invalid_partitions,
                         "Topic '" + name + "' would have " + std::to_string(topic_total) +
                             " partitions, above this server's limit of " +
                             std::to_string(_limits.per_topic) +
                             " per topic (kafka.max_partitions_per_topic)."};
  }
  const int64_t total = partition_total();
  if (total + added > _limits.total) {
    return kafka_failure{kafka_error::policy_violation,
                         std::to_string(added) + " more partitions would make " +
                             std::to_string(total + added) + ", above this server's limit of " +
                             std::to_string(_limits.total) + " (kafka.max_partitions)."};
  }
  return {};
}

void topic_table::remove_partitions(const std::string& name, int32_t from, int32_t to) {
  for (int32_t p = from; p < to; ++p) {
    if (auto st = _logs.remove(name, p); !st) {
      log::warn("topic {}: removing partition {} after a failed change: {}", name, p,
                st.error().message());
    }
  }
}

result<std::vector<std::shared_ptr<storage::partition_log>>> topic_table::open_partitions(
    const std::string& name, int32_t from, int32_t to, const storage::log_config& config) {
  std::vector<std::shared_ptr<storage::partition_log>> out;
  for (int32_t p = from; p < to; ++p) {
    auto log = _logs.get_or_create(name, p, &config);
    if (!log) {
      return log.error();
    }
    if (auto st = (*log)->set_config(config); !st) {
      return st.error();
    }
    out.push_back(std::move(*log));
  }
  return out;
}

void topic_table::publish(std::shared_ptr<const topic> t) {
  std::unique_lock lock(_mutex);
  auto& slot = _topics[t->name];
  if (slot) {
    _partition_total -= slot->partition_count();
  } else {
    _by_collision_name.emplace(protocol::unify_collision_chars(t->name), t->name);
  }
  _partition_total += t->partition_count();
  slot = std::move(t);
}

status topic_table::load() {
  std::lock_guard admin(_admin_mutex);
  auto stored = _store.list_topics();
  if (!stored) {
    return stored.error();
  }
  std::set<std::string> known;
  for (auto& m : *stored) {
    auto applied = storage::apply_topic_configs(_defaults, m.configs);
    storage::log_config config = applied ? *applied : _defaults;
    if (!applied) {
      log::warn("topic {}: stored config refused ({}); using the defaults", m.name,
                applied.error().message);
    }
    auto parts = open_partitions(m.name, 0, m.partitions, config);
    if (!parts) {
      return parts.error();
    }
    auto t = std::make_shared<topic>();
    t->name = m.name;
    t->id = to_uuid(m.id);
    t->overrides = std::move(m.configs);
    t->config = config;
    t->partitions = std::move(*parts);
    known.insert(t->name);
    publish(std::move(t));
  }
  // Adopt partition directories no topic owns.
  std::map<std::string, int32_t> orphans;
  for (auto& [key, log] : _logs.all()) {
    if (!known.contains(key.first)) {
      orphans[key.first] = std::max(orphans[key.first], key.second + 1);
    }
  }
  for (auto& [name, count] : orphans) {
    auto id = protocol::uuid::random();
    if (auto st = _store.create_topic(name, id.bytes, count, {}); !st) {
      return st.error();
    }
    auto parts = open_partitions(name, 0, count, _defaults);
    if (!parts) {
      return parts.error();
    }
    auto t = std::make_shared<topic>();
    t->name = name;
    t->id = id;
    t->config = _defaults;
    t->partitions = std::move(*parts);
    log::info("adopted topic {} ({} partitions) found on disk", name, count);
    publish(std::move(t));
  }
  return {};
}

std::shared_ptr<const topic> topic_table::find(std::string_view name) const {
  std::shared_lock lock(_mutex);
  auto it = _topics.find(name);
  return it == _topics.end() ? nullptr : it->second;
}

std::shared_ptr<const topic> topic_table::find(const protocol::uuid& id) const {
  std::shared_lock lock(_mutex);
  for (const auto& [name, t] : _topics) {
    if (t->id == id) {
      return t;
    }
  }
  return nullptr;
}

std::vector<std::shared_ptr<const topic>> topic_table::list() const {
  std::shared_lock lock(_mutex);
  std::vector<std::shared_ptr<const topic>> out;
  out.reserve(_topics.size());
  for (const auto& [name, t] : _topics) {
    out.push_back(t);
  }
  return out;
}

size_t topic_table::size() const {
  std::shared_lock lock(_mutex);
  return _topics.size();
}

int64_t topic_table::partition_total() const {
  std::shared_lock lock(_mutex);
  return _partition_total;
}

kafka_result<std::shared_ptr<const topic>> topic_table::create(
    const std::string& name, int32_t partitions,
    const std::map<std::string, std::string>& overrides, bool validate_only) {
  if (auto valid = protocol::validate_topic_name(name); !valid) {
    return valid.error();
  }
  if (partitions < 1) {
    return kafka_failure{
        kafka_error::invalid_partitions,
        "Number of partitions must be larger than 0, not " + std::to_string(partitions)};
  }
  auto config = storage::apply_topic_configs(_defaults, overrides);
  if (!config) {
    return kafka_failure{kafka_error::invalid_config, config.error().message};
  }
  std::lock_guard admin(_admin_mutex);
  {
    std::shared_lock lock(_mutex);
    if (_topics.contains(name)) {
      return kafka_failure{kafka_error::topic_already_exists,
                           "Topic '" + name + "' already exists."};
    }
    if (auto other = _by_collision_name.find(protocol::unify_collision_chars(name));
        other != _by_collision_name.end() && other->second != name) {
      return kafka_failure{kafka_error::invalid_topic_exception,
                           "Topic '" + name + "' collides with existing topic: " + other->second};
    }
  }
  if (auto room = check_room(name, partitions, partitions); !room) {
    return room.error();
  }
  if (validate_only) {
    return std::shared_ptr<const topic>();
  }
  auto id = protocol::uuid::random();
  if (auto st = _store.create_topic(name, id.bytes, partitions, overrides); !st) {
    return store_error(st.error());
  }
  auto parts = open_partitions(name, 0, partitions, *config);
  if (!parts) {
    // Undo it whole: no half-made topic stays on disk or in the store.
    log::error("topic {}: its logs failed to open ({}); removing what was made", name,
               parts.error().message());
    remove_partitions(name, 0, partitions);
    if (auto st = _store.delete_topic(name); !st) {
      log::error("topic {}: removing it from the metadata store failed: {}", name,
                 st.error().message());
    }
    return store_error(parts.error());
  }
  auto t = std::make_shared<topic>();
  t->name = name;
  t->id = id;
  t->overrides = overrides;
  t->config = *config;
  t->partitions = std::move(*parts);
  log::info("created topic {} with {} partitions", name, partitions);
  std::shared_ptr<const topic> created = std::move(t);
  publish(created);
  return created;
}

kafka_result<void> topic_table::remove(const std::string& name) {
  std::lock_guard admin(_admin_mutex);
  auto t = find(name);
  if (!t) {
    return kafka_failure{kafka_error::unknown_topic_or_partition,
                         "This server does not host this topic: " + name};
  }
  if (auto st = _store.delete_topic(name); !st) {
    return store_error(st.error());
  }
  {
    std::unique_lock lock(_mutex);
    _topics.erase(name);
    if (auto it = _by_collision_name.find(protocol::unify_collision_chars(name));
        it != _by_collision_name.end() && it->second == name) {
      _by_collision_name.erase(it);
    }
    _partition_total -= t->partition_count();
  }
  for (int32_t p = 0; p < t->partition_count(); ++p) {
    if (auto st = _logs.remove(name, p); !st) {
      log::warn("topic {}: removing partition {} failed: {}", name, p, st.error().message());
    }
  }
  log::info("deleted topic {}", name);
  return {};
}

kafka_result<void> topic_table::add_partitions(const std::string& name, int32_t new_total,
                                               bool validate_only) {
  std::lock_guard admin(_admin_mutex);
  auto t = find(name);
  if (!t) {
    return kafka_failure{kafka_error::unknown_topic_or_partition,
                         "This server does not host this topic: " + name};
  }
  if (new_total == t->partition_count()) {
    return kafka_failure{kafka_error::invalid_partitions,
                         "Topic already has " + std::to_string(new_total) + " partitions."};
  }
  if (new_total < t->partition_count()) {
    return kafka_failure{kafka_error::invalid_partitions,
                         "Topic currently has " + std::to_string(t->partition_count()) +
                             " partitions, which is higher than the requested " +
                             std::to_string(new_total) + "."};
  }
  if (auto room = check_room(name, new_total, new_total - t->partition_count()); !room) {
    return room.error();
  }
  if (validate_only) {
    return {};
  }
  if (auto st = _store.set_partition_count(name, new_total); !st) {
    return store_error(st.error());
  }
  auto parts = open_partitions(name, t->partition_count(), new_total, t->config);
  if (!parts) {
    log::error("topic {}: new partitions failed to open ({}); removing them", name,
               parts.error().message());
    remove_partitions(name, t->partition_count(), new_total);
    if (auto st = _store.set_partition_count(name, t->partition_count()); !st) {
      log::error("topic {}: restoring its partition count in the metadata store failed: {}", name,
                 st.error().message());
    }
    return store_error(parts.error());
  }
  auto updated = std::make_shared<topic>(*t);
  for (auto& p : *parts) {
    updated->partitions.push_back(std::move(p));
  }
  publish(std::move(updated));
  return {};
}

kafka_result<void> topic_table::set_configs(const std::string& name,
                                            const std::map<std::string, std::string>& overrides,
                                            bool validate_only) {
  return update_configs(
      name,
      [&overrides](std::map<std::string, std::string>& current) -> kafka_result<void> {
        current = overrides;
        return {};
      },
      validate_only);
}

kafka_result<void> topic_table::update_configs(const std::string& name, const config_edit& edit,
                                               bool validate_only) {
  std::lock_guard admin(_admin_mutex);
  auto t = find(name);
  if (!t) {
    return kafka_failure{kafka_error::unknown_topic_or_partition,
                         "This server does not host this topic: " + name};
  }
  auto overrides = t->overrides;
  if (auto edited = edit(overrides); !edited) {
    return edited;
  }
  auto config = storage::apply_topic_configs(_defaults, overrides);
  if (!config) {
    return kafka_failure{kafka_error::invalid_config, config.error().message};
  }
  if (validate_only) {
    return {};
  }
  if (auto st = _store.set_topic_configs(name, overrides); !st) {
    return store_error(st.error());
  }
  for (const auto& log : t->partitions) {
    if (auto st = log->set_config(*config); !st) {
      return store_error(st.error());
    }
  }
  auto updated = std::make_shared<topic>(*t);
  updated->overrides = std::move(overrides);
  updated->config = *config;
  publish(std::move(updated));
  return {};
}

}  // namespace brook::broker
