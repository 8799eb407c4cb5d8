#include "storage/topic_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "base/text.h"

namespace brook::storage {
namespace {

constexpr int64_t int32_max = std::numeric_limits<int32_t>::max();
constexpr int64_t int64_max = std::numeric_limits<int64_t>::max();

// The keys, as constants so that a typo is a compile error.
constexpr std::string_view cleanup_policy = "cleanup.policy";
constexpr std::string_view retention_ms = "retention.ms";
constexpr std::string_view retention_bytes = "retention.bytes";
constexpr std::string_view segment_bytes = "segment.bytes";
constexpr std::string_view segment_ms = "segment.ms";
constexpr std::string_view max_message_bytes = "max.message.bytes";
constexpr std::string_view index_interval_bytes = "index.interval.bytes";
constexpr std::string_view timestamp_type_key = "message.timestamp.type";
constexpr std::string_view timestamp_difference_max_ms = "message.timestamp.difference.max.ms";
constexpr std::string_view flush_messages = "flush.messages";
constexpr std::string_view flush_ms = "flush.ms";
constexpr std::string_view brook_durability = "brook.durability";
constexpr std::string_view compression_type = "compression.type";
constexpr std::string_view min_insync_replicas = "min.insync.replicas";
constexpr std::string_view timestamp_before_max_ms = "message.timestamp.before.max.ms";
constexpr std::string_view timestamp_after_max_ms = "message.timestamp.after.max.ms";
constexpr std::string_view remote_storage_enable = "remote.storage.enable";
constexpr std::string_view delete_retention_ms = "delete.retention.ms";
constexpr std::string_view max_compaction_lag_ms = "max.compaction.lag.ms";
constexpr std::string_view min_compaction_lag_ms = "min.compaction.lag.ms";
constexpr std::string_view min_cleanable_dirty_ratio = "min.cleanable.dirty.ratio";

// How a key's value is checked, beyond its type.
enum class check {
  plain,         // the type's own parse; integers within [min, max]; strings among choices
  ratio,         // a DOUBLE within [0, 1]
  version,       // a Kafka version, as message.format.version takes
  replica_list,  // "*" or partitionId:brokerId,... (the throttled replicas lists)
  only_false,    // a BOOLEAN that Brook accepts only as false (remote.storage.enable)
};

// What one key accepts. Integer keys have [min, max]; string keys a list of choices. Keys
// with a `stored_default` are kept and described but change nothing in Brook: their
// value, when not overridden, is that text rather than one read from the log_config.
struct key_spec {
  std::string_view name;
  config_type type = config_type::string;
  int64_t min = 0;
  int64_t max = 0;
  std::string_view range_note;  // appended to the accepted range in error messages
  std::vector<std::string_view> choices;
  std::string_view documentation;
  check how = check::plain;
  std::string_view stored_default;
};

key_spec integer_key(std::string_view name, config_type type, int64_t min, int64_t max,
                     std::string_view range_note, std::string_view documentation) {
  return {name, type, min, max, range_note, {}, documentation, check::plain, {}};
}

key_spec choice_key(std::string_view name, config_type type, std::vector<std::string_view> choices,
                    std::string_view documentation) {
  return {name, type, 0, 0, {}, std::move(choices), documentation, check::plain, {}};
}

// A key Kafka 3.x accepts that means nothing on one node without replication or tiered
// storage: validated as Kafka does, stored, described, and otherwise ignored.
key_spec stored_key(key_spec spec, std::string_view stored_default) {
  spec.stored_default = stored_default;
  return spec;
}

key_spec checked_key(std::string_view name, config_type type, check how,
                     std::string_view documentation) {
  return {name, type, 0, 0, {}, {}, documentation, how, {}};
}

const std::vector<key_spec>& specs() {
  static const std::vector<key_spec> all = {
      choice_key(cleanup_policy, config_type::list, {"compact", "delete"},
                 "delete: old segments are deleted by retention.ms and retention.bytes. "
                 "compact: the log keeps the last record of each key. Either, both or "
                 "neither."),
      integer_key(retention_ms, config_type::int64, -1, int64_max, ", -1 keeps data forever",
                  "Delete a segment once its newest record is older than this many "
                  "milliseconds; -1: never."),
      integer_key(retention_bytes, config_type::int64, -1, int64_max, ", -1 for no limit",
                  "Delete the oldest segments while the partition would still hold this many "
                  "bytes without them; -1: no limit."),
      integer_key(segment_bytes, config_type::int32, 14, int32_max, {},
                  "Roll to a new segment when an append would push the active one past this "
                  "size."),
      integer_key(segment_ms, config_type::int64, 1, int64_max, {},
                  "Roll to a new segment when an append's timestamp is this much later than "
                  "the active segment's first batch."),
      integer_key(max_message_bytes, config_type::int32, 64, int64_t{1} << 30, {},
                  "The largest record batch accepted, counting its 12-byte offset and length "
                  "prefix."),
      integer_key(index_interval_bytes, config_type::int32, 1, int64_t{1} << 30, {},
                  "Bytes between entries of the offset and time indexes."),
      choice_key(timestamp_type_key, config_type::string, {"CreateTime", "LogAppendTime"},
                 "CreateTime keeps the producer's timestamps; LogAppendTime replaces them "
                 "with the broker's clock at append."),
      integer_key(timestamp_difference_max_ms, config_type::int64, 0, int64_max, {},
                  "With CreateTime, a record whose timestamp differs from the broker's clock "
                  "by more than this many milliseconds is refused (INVALID_TIMESTAMP)."),
      integer_key(flush_messages, config_type::int64, 1, int64_max, {},
                  "1: acknowledge after fdatasync (brook.durability=sync); larger: flush in "
                  "the background every flush.ms (interval)."),
      integer_key(flush_ms, config_type::int64, 0, int64_max, {},
                  "The background flush interval in interval mode; 0 alone selects sync."),
      choice_key(brook_durability, config_type::string, {"sync", "interval"},
                 "sync: acknowledge after fdatasync, shared by concurrent appends. interval: "
                 "acknowledge after the write; flush every flush.ms."),
      choice_key(compression_type, config_type::string,
                 {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"},
                 "producer keeps each batch as the producer compressed it; a codec (or "
                 "uncompressed) recompresses batches that arrive with another one."),
      integer_key(min_insync_replicas, config_type::int32, 1, int32_max, {},
                  "Appends with acks=all need this many in-sync replicas. A Brook partition "
                  "has one: above 1, acks=all fails with NOT_ENOUGH_REPLICAS."),
      integer_key(timestamp_before_max_ms, config_type::int64, 0, int64_max, {},
                  "With CreateTime, a record whose timestamp is more than this many "
                  "milliseconds before the broker's clock is refused (INVALID_TIMESTAMP)."),
      integer_key(timestamp_after_max_ms, config_type::int64, 0, int64_max, {},
                  "With CreateTime, a record whose timestamp is more than this many "
                  "milliseconds after the broker's clock is refused (INVALID_TIMESTAMP)."),
      integer_key(delete_retention_ms, config_type::int64, 0, int64_max, {},
                  "Compaction: how long a tombstone (a record with a key and a null value) "
                  "stays readable before the cleaner removes it."),
      stored_key(integer_key("file.delete.delay.ms", config_type::int64, 0, int64_max, {},
                             "How long Kafka waits before deleting a file. Stored; Brook "
                             "deletes at once (readers keep open files readable)."),
                 "60000"),
      stored_key(checked_key("follower.replication.throttled.replicas", config_type::list,
                             check::replica_list,
                             "Replicas throttled while following. Stored; a Brook partition "
                             "has no followers."),
                 ""),
      stored_key(checked_key("leader.replication.throttled.replicas", config_type::list,
                             check::replica_list,
                             "Replicas throttled while leading. Stored; a Brook partition "
                             "has no followers."),
                 ""),
      stored_key(integer_key("local.retention.bytes", config_type::int64, -2, int64_max,
                             ", -2 follows retention.bytes",
                             "Tiered storage: bytes kept locally. Stored; Brook keeps "
                             "everything locally."),
                 "-2"),
      stored_key(integer_key("local.retention.ms", config_type::int64, -2, int64_max,
                             ", -2 follows retention.ms",
                             "Tiered storage: time kept locally. Stored; Brook keeps "
                             "everything locally."),
                 "-2"),
      integer_key(max_compaction_lag_ms, config_type::int64, 1, int64_max, {},
                  "Compaction: a sealed segment older than this is cleaned whatever the "
                  "dirty ratio."),
      stored_key(checked_key("message.downconversion.enable", config_type::boolean, check::plain,
                             "Down-conversion for old consumers. Stored; Brook serves Fetch "
                             "v4 and later, which need none."),
                 "true"),
      stored_key(checked_key("message.format.version", config_type::string, check::version,
                             "The on-disk format of old brokers. Stored; ignored as by Kafka "
                             "3.x: batches are always stored in format v2."),
                 "3.0-IV1"),
      checked_key(min_cleanable_dirty_ratio, config_type::float64, check::ratio,
                  "Compaction: the log is cleaned once the share of not yet cleaned bytes in "
                  "its sealed segments reaches this."),
      integer_key(min_compaction_lag_ms, config_type::int64, 0, int64_max, {},
                  "Compaction: a record stays uncleaned at least this long (its segment's "
                  "newest record must be this old)."),
      stored_key(checked_key("preallocate", config_type::boolean, check::plain,
                             "Preallocate segment files. Stored; Brook grows files as it "
                             "writes."),
                 "false"),
      stored_key(checked_key(remote_storage_enable, config_type::boolean, check::only_false,
                             "Tiered storage. Brook has none: only false is accepted."),
                 "false"),
      stored_key(integer_key("segment.index.bytes", config_type::int32, 4, int32_max, {},
                             "The size Kafka preallocates for a segment's index. Stored; "
                             "Brook's indexes grow with the segment."),
                 "10485760"),
      stored_key(integer_key("segment.jitter.ms", config_type::int64, 0, int64_max, {},
                             "A random reduction of segment.ms. Stored; Brook rolls at "
                             "segment.ms exactly."),
                 "0"),
      stored_key(checked_key("unclean.leader.election.enable", config_type::boolean, check::plain,
                             "Electing an out-of-sync replica. Stored; a Brook partition "
                             "has one replica, always in sync."),
                 "false"),
  };
  return all;
}

const key_spec* find_spec(std::string_view name) {
  const auto& all = specs();
  auto it = std::find_if(all.begin(), all.end(), [&](const key_spec& s) { return s.name == name; });
  return it == all.end() ? nullptr : &*it;
}

// Kafka trims every value (Java's String.trim) before parsing it: brook::trim.

// Double.parseDouble's decimal forms ("0.5", ".5", "5e-1", "-0"), finite only.
std::optional<double> parse_double(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

// A double as Java's Double.toString writes the common ones: "0.5", "1.0".
std::string java_double(double v) {
  std::string out = fmt::format("{}", v);
  if (out.find_first_of(".e") == std::string::npos) {
    out += ".0";
  }
  return out;
}

// message.format.version: a Kafka release as MetadataVersion.fromVersionString takes it:
// 0.8.x to 0.11.x (three parts), 1.0 to 3.9 (two parts, or three: the third is ignored),
// each optionally with an -IV<n> suffix.
bool is_kafka_version(std::string_view v) {
  if (auto iv = v.find("-IV"); iv != std::string_view::npos) {
    auto n = v.substr(iv + 3);
    if (n.empty() || n.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    v = v.substr(0, iv);
  }
  std::vector<int> parts;
  size_t start = 0;
  while (start <= v.size()) {
    auto dot = v.find('.', start);
    auto part =
        v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    int n = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || n < 0) {
      return false;
    }
    parts.push_back(n);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) {
    return false;
  }
  switch (parts[0]) {
    case 0:
      return parts.size() == 3 && parts[1] >= 8 && parts[1] <= 11;
    case 1:
      return parts[1] <= 1;
    case 2:
      return parts[1] <= 8;
    case 3:
      return parts[1] <= 9;
    default:
      return false;
  }
}

// The throttled replicas lists: "*", or partitionId:brokerId pairs separated by commas.
bool is_replica_list(const std::vector<std::string>& items) {
  if (items.size() == 1 && items[0] == "*") {
    return true;
  }
  return std::all_of(items.begin(), items.end(), [](const std::string& item) {
    auto colon = item.find(':');
    auto digits = [](std::string_view d) {
      return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
    };
    return colon != std::string::npos && digits(std::string_view(item).substr(0, colon)) &&
           digits(std::string_view(item).substr(colon + 1));
  });
}

// Long.parseLong / Integer.parseInt: an optional sign, then decimal digits, nothing else.
std::optional<int64_t> parse_integer(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
      return std::nullopt;
    }
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

// compression.type's names for the codecs ("uncompressed" for none), and back; nullopt
// for "producer".
std::string_view kafka_codec_name(protocol::compression c) {
  return c == protocol::compression::none ? "uncompressed" : protocol::compression_name(c);
}

std::optional<protocol::compression> codec_of(std::string_view name) {
  for (auto c :
       {protocol::compression::none, protocol::compression::gzip, protocol::compression::snappy,
        protocol::compression::lz4, protocol::compression::zstd}) {
    if (kafka_codec_name(c) == name) {
      return c;
    }
  }
  return std::nullopt;
}

std::string_view type_name(config_type t) {
  return t == config_type::int32 ? "INT" : "LONG";
}

unexpected<topic_config_error> invalid(const key_spec& spec, std::string_view value,
                                       std::string_view why) {
  std::string message = "Invalid value " + std::string(value) + " for configuration " +
                        std::string(spec.name) + ": " + std::string(why);
  return unexpected(topic_config_error{std::string(spec.name), std::move(message), false});
}

unexpected<topic_config_error> unknown_key(std::string_view key) {
  return unexpected(
      topic_config_error{std::string(key), "Unknown topic config name: " + std::string(key), true});
}

std::string accepted_range(const key_spec& spec) {
  return " (accepted: " + std::to_string(spec.min) + " to " + std::to_string(spec.max) +
         std::string(spec.range_note) + ")";
}

std::string accepted_choices(const key_spec& spec) {
  std::string out = "String must be one of: ";
  for (size_t i = 0; i < spec.choices.size(); ++i) {
    out += (i ? ", " : "") + std::string(spec.choices[i]);
  }
  return out;
}

// A checked value: the number for integer keys, the text for the others.
struct parsed_value {
  int64_t number = 0;
  std::string text;  // canonical form
  double real = 0;   // for DOUBLE keys
};

expected<parsed_value, topic_config_error> parse(const key_spec& spec, std::string_view raw) {
  std::string_view value = trim(raw);
  switch (spec.how) {
    case check::ratio: {
      auto v = parse_double(value);
      if (!v) {
        return invalid(spec, raw, "Not a number of type DOUBLE (accepted: 0 to 1)");
      }
      if (*v < 0 || *v > 1) {
        return invalid(spec, raw,
                       std::string(*v < 0 ? "Value must be at least 0"
                                          : "Value must be no more "
                                            "than 1") +
                           " (accepted: 0 to 1)");
      }
      return parsed_value{0, java_double(*v), *v};
    }
    case check::version:
      if (!is_kafka_version(value)) {
        return invalid(spec, raw,
                       "Version " + std::string(value) +
                           " is not a valid version (accepted: a Kafka release such as 2.8, "
                           "3.0-IV1 or 0.10.2)");
      }
      return parsed_value{0, std::string(value)};
    case check::replica_list: {
      auto items = split_list(value);
      if (!is_replica_list(items)) {
        return invalid(spec, raw,
                       std::string(spec.name) +
                           " must be the literal '*' or a list of replicas in the following "
                           "format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
      }
      return parsed_value{0, join_list(items)};
    }
    default:
      break;
  }
  switch (spec.type) {
    case config_type::boolean: {
      if (!iequals(value, "true") && !iequals(value, "false")) {
        return invalid(spec, raw, "Expected value to be either true or false");
      }
      std::string text = lower(value);
      if (spec.how == check::only_false && text == "true") {
        return invalid(spec, raw,
                       "Brook has no tiered (remote) storage; the only accepted value is false");
      }
      return parsed_value{text == "true" ? 1 : 0, text};
    }
    case config_type::int32:
    case config_type::int64: {
      auto v = parse_integer(value);
      if (!v || (spec.type == config_type::int32 &&
                 (*v > int32_max || *v < std::numeric_limits<int32_t>::min()))) {
        return invalid(
            spec, raw,
            "Not a number of type " + std::string(type_name(spec.type)) + accepted_range(spec));
      }
      if (*v < spec.min) {
        return invalid(spec, raw,
                       "Value must be at least " + std::to_string(spec.min) + accepted_range(spec));
      }
      if (*v > spec.max) {
        return invalid(
            spec, raw,
            "Value must be no more than " + std::to_string(spec.max) + accepted_range(spec));
      }
      return parsed_value{*v, std::to_string(*v)};
    }
    case config_type::list: {
      // cleanup.policy: a comma-separated list of choices, possibly empty (Kafka 3.x's
      // ValidList); "delete," has an empty element and is refused.
      std::vector<std::string> elements;
      if (!value.empty()) {
        std::string_view rest = value;
        while (true) {
          auto comma = rest.find(',');
          std::string_view element = trim(rest.substr(0, comma));
          if (std::find(spec.choices.begin(), spec.choices.end(), element) == spec.choices.end()) {
            return invalid(spec, raw, accepted_choices(spec));
          }
          elements.emplace_back(element);
          if (comma == std::string_view::npos) {
            break;
          }
          rest.remove_prefix(comma + 1);
        }
      }
      return parsed_value{0, join_list(elements)};
    }
    default: {
      auto it = std::find(spec.choices.begin(), spec.choices.end(), value);
      if (it == spec.choices.end()) {
        return invalid(spec, raw, accepted_choices(spec));
      }
      return parsed_value{0, std::string(value)};
    }
  }
}

// The value a key has under `c` when the topic does not override it.
std::string value_from(const log_config& c, const key_spec& spec) {
  if (!spec.stored_default.empty() || spec.how == check::replica_list) {
    return std::string(spec.stored_default);
  }
  std::string_view key = spec.name;
  bool sync = c.durability == durability::sync;
  if (key == cleanup_policy) {
    std::vector<std::string> policies;
    if (c.cleanup_compact) {
      policies.emplace_back("compact");
    }
    if (c.cleanup_delete) {
      policies.emplace_back("delete");
    }
    return join_list(policies);
  } else if (key == delete_retention_ms) {
    return std::to_string(c.delete_retention_ms);
  } else if (key == max_compaction_lag_ms) {
    return std::to_string(c.max_compaction_lag_ms);
  } else if (key == min_compaction_lag_ms) {
    return std::to_string(c.min_compaction_lag_ms);
  } else if (key == min_cleanable_dirty_ratio) {
    return java_double(c.min_cleanable_dirty_ratio);
  } else if (key == retention_ms) {
    return std::to_string(c.retention_ms.count());
  } else if (key == retention_bytes) {
    return std::to_string(c.retention_bytes);
  } else if (key == segment_bytes) {
    return std::to_string(c.segment_bytes);
  } else if (key == segment_ms) {
    return std::to_string(c.segment_ms.count());
  } else if (key == max_message_bytes) {
    return std::to_string(c.max_message_bytes);
  } else if (key == index_interval_bytes) {
    return std::to_string(c.index_interval_bytes);
  } else if (key == timestamp_type_key) {
    return c.timestamp_type == timestamp_type::log_append_time ? "LogAppendTime" : "CreateTime";
  } else if (key == timestamp_difference_max_ms) {
    return std::to_string(c.timestamp_difference_max_ms);
  } else if (key == flush_messages) {
    // sync flushes every append before acknowledging it; interval never counts messages.
    return sync ? "1" : std::to_string(int64_max);
  } else if (key == flush_ms) {
    return sync ? "0" : std::to_string(c.flush_interval.count());
  } else if (key == brook_durability) {
    return sync ? "sync" : "interval";
  } else if (key == compression_type) {
    return c.compression ? std::string(kafka_codec_name(*c.compression)) : "producer";
  } else if (key == min_insync_replicas) {
    return std::to_string(c.min_insync_replicas);
  } else if (key == timestamp_before_max_ms) {
    return std::to_string(c.timestamp_before_max_ms);
  } else if (key == timestamp_after_max_ms) {
    return std::to_string(c.timestamp_after_max_ms);
  }
  return {};
}

}  // namespace

const std::vector<std::string>& topic_config_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& s : specs()) {
      out.emplace_back(s.name);
    }
    return out;
  }();
  return names;
}

expected<void, topic_config_error> validate_topic_config(std::string_view key,
                                                         std::string_view value) {
  const key_spec* spec = find_spec(key);
  if (spec == nullptr) {
    return unknown_key(key);
  }
  if (auto p = parse(*spec, value); !p) {
    return unexpected(std::move(p).error());
  }
  return {};
}

expected<log_config, topic_config_error> apply_topic_configs(
    const log_config& server_defaults, const std::map<std::string, std::string>& overrides) {
  log_config c = server_defaults;
  std::optional<int64_t> messages;
  std::optional<int64_t> interval;
  std::optional<std::string> mode;
  for (const auto& [key, raw] : overrides) {
    const key_spec* spec = find_spec(key);
    if (spec == nullptr) {
      return unknown_key(key);
    }
    auto p = parse(*spec, raw);
    if (!p) {
      return unexpected(std::move(p).error());
    }
    const parsed_value& v = *p;
    if (key == retention_ms) {
      c.retention_ms = std::chrono::milliseconds(v.number);
    } else if (key == retention_bytes) {
      c.retention_bytes = v.number;
    } else if (key == segment_bytes) {
      c.segment_bytes = static_cast<uint64_t>(v.number);
    } else if (key == segment_ms) {
      c.segment_ms = std::chrono::milliseconds(v.number);
    } else if (key == max_message_bytes) {
      c.max_message_bytes = static_cast<uint32_t>(v.number);
    } else if (key == index_interval_bytes) {
      c.index_interval_bytes = static_cast<uint32_t>(v.number);
    } else if (key == timestamp_type_key) {
      c.timestamp_type =
          v.text == "LogAppendTime" ? timestamp_type::log_append_time : timestamp_type::create_time;
    } else if (key == timestamp_difference_max_ms) {
      c.timestamp_difference_max_ms = v.number;
    } else if (key == flush_messages) {
      messages = v.number;
    } else if (key == flush_ms) {
      interval = v.number;
    } else if (key == brook_durability) {
      mode = v.text;
    } else if (key == compression_type) {
      c.compression = codec_of(v.text);
    } else if (key == min_insync_replicas) {
      c.min_insync_replicas = static_cast<int32_t>(v.number);
    } else if (key == timestamp_before_max_ms) {
      c.timestamp_before_max_ms = v.number;
    } else if (key == timestamp_after_max_ms) {
      c.timestamp_after_max_ms = v.number;
    } else if (key == cleanup_policy) {
      auto policies = split_list(v.text);
      auto has = [&](std::string_view p) {
        return std::find(policies.begin(), policies.end(), p) != policies.end();
      };
      c.cleanup_compact = has("compact");
      c.cleanup_delete = has("delete");
    } else if (key == delete_retention_ms) {
      c.delete_retention_ms = v.number;
    } else if (key == max_compaction_lag_ms) {
      c.max_compaction_lag_ms = v.number;
    } else if (key == min_compaction_lag_ms) {
      c.min_compaction_lag_ms = v.number;
    } else if (key == min_cleanable_dirty_ratio) {
      c.min_cleanable_dirty_ratio = v.real;
    }
    // Keys with a stored default change nothing.
  }
  if (c.min_compaction_lag_ms > c.max_compaction_lag_ms) {
    // Kafka's LogConfig.validateValues.
    return unexpected(topic_config_error{std::string(min_compaction_lag_ms),
                                         "conflict topic config setting min.compaction.lag.ms (" +
                                             std::to_string(c.min_compaction_lag_ms) +
                                             ") > max.compaction.lag.ms (" +
                                             std::to_string(c.max_compaction_lag_ms) + ")"});
  }
  if (mode) {
    c.durability = *mode == "sync" ? durability::sync : durability::interval;
  } else if (messages) {
    c.durability = *messages == 1 ? durability::sync : durability::interval;
  } else if (interval) {
    c.durability = *interval == 0 ? durability::sync : durability::interval;
  }
  if (interval && *interval > 0) {
    c.flush_interval = std::chrono::milliseconds(std::min(*interval, max_flush_interval_ms));
  }
  if (auto st = c.validate(); !st) {
    // Each key is within log_config's ranges, so this is a bug in the table above.
    return unexpected(
        topic_config_error{{}, "invalid topic configuration: " + st.error().message()});
  }
  return c;
}

std::vector<topic_config_entry> describe_topic_configs(
    const log_config& server_defaults, const std::map<std::string, std::string>& overrides) {
  static const log_config built_in{};
  std::vector<topic_config_entry> out;
  for (const auto& spec : specs()) {
    topic_config_entry e;
    e.name = std::string(spec.name);
    e.type = spec.type;
    e.documentation = std::string(spec.documentation);
    if (auto it = overrides.find(e.name); it != overrides.end()) {
      auto p = parse(spec, it->second);
      e.value = p ? p->text : it->second;
      e.source = config_source::topic;
    } else {
      e.value = value_from(server_defaults, spec);
      e.source = e.value == value_from(built_in, spec) ? config_source::default_config
                                                       : config_source::static_broker;
    }
    e.is_default = e.source == config_source::default_config;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace brook::storage
