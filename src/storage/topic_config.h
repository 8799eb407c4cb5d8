// topic_config: the Kafka topic configs Brook honours (CreateTopics, AlterConfigs,
// IncrementalAlterConfigs, DescribeConfigs), checked with Kafka's names, ranges and
// wording, and turned into the log_config the storage engine runs with.
//
// A topic's configuration is a map of overrides on top of the server's defaults (the
// storage.* settings). Every key, its range and what it does are listed in
// doc/configuration.md, "Topic configs".
//
// Durability: Kafka's flush.messages / flush.ms map onto Brook's two modes, in this order:
//   1. brook.durability (sync | interval), if overridden, decides the mode;
//   2. else flush.messages, if overridden: 1 gives sync, anything larger gives interval;
//   3. else flush.ms, if overridden: 0 gives sync, anything larger gives interval;
//   4. else the server's mode.
// In interval mode the flush interval is flush.ms if overridden, else the server's, capped
// at max_flush_interval_ms.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "storage/log_config.h"

namespace brook::storage {

// Kafka's DescribeConfigs config_type codes (v3+).
enum class config_type : int8_t {
  unknown = 0,
  boolean = 1,     // BOOLEAN
  string = 2,      // STRING
  int32 = 3,       // INT
  int16 = 4,       // SHORT
  int64 = 5,       // LONG
  float64 = 6,     // DOUBLE
  list = 7,        // LIST
  class_name = 8,  // CLASS
  password = 9,    // PASSWORD
};

// Kafka's DescribeConfigs config_source codes (v1+).
enum class config_source : int8_t {
  unknown = 0,
  topic = 1,                   // DYNAMIC_TOPIC_CONFIG: a topic override
  dynamic_broker = 2,          // DYNAMIC_BROKER_CONFIG
  dynamic_default_broker = 3,  // DYNAMIC_DEFAULT_BROKER_CONFIG
  static_broker = 4,           // STATIC_BROKER_CONFIG: Brook's server configuration
  default_config = 5,          // DEFAULT_CONFIG: the built-in default
};

// The longest flush interval a topic gets, whatever flush.ms says (about 34 years: in
// effect, only a clean shutdown flushes). Longer ones would overflow the flusher's clock.
constexpr int64_t max_flush_interval_ms = int64_t{1} << 40;

// A refused topic config. Goes out as INVALID_CONFIG (Kafka error code 40) with `message`,
// which is worded as Kafka's InvalidConfigurationException:
//   "Unknown topic config name: X"
//   "Invalid value V for configuration K: <why>; accepted: <range>"
struct topic_config_error {
  std::string key;
  std::string message;
  bool unknown_key = false;
};

// One row of DescribeConfigs for a topic.
struct topic_config_entry {
  std::string name;
  std::string value;
  bool is_default = false;  // source == default_config, as Kafka's ConfigEntry.isDefault()
  config_source source = config_source::default_config;
  bool read_only = false;
  bool sensitive = false;
  config_type type = config_type::string;
  std::string documentation;
};

// Every topic config Brook supports, in documentation order.
const std::vector<std::string>& topic_config_names();

// Checks one key and its value: success when both are acceptable.
expected<void, topic_config_error> validate_topic_config(std::string_view key,
                                                         std::string_view value);

// `server_defaults` with every override applied (see the durability rules above). Every
// override is validated; the first bad one (in key order) is the error.
expected<log_config, topic_config_error> apply_topic_configs(
    const log_config& server_defaults, const std::map<std::string, std::string>& overrides);

// Every supported config of a topic with `overrides`, in topic_config_names() order.
// An override shows as source `topic` with its value in canonical form (an override that
// no longer validates shows as given). Otherwise the value comes from `server_defaults`:
// source `default_config` when it equals Brook's built-in default, else `static_broker`.
std::vector<topic_config_entry> describe_topic_configs(
    const log_config& server_defaults, const std::map<std::string, std::string>& overrides);

}  // namespace brook::storage
