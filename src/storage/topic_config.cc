#include "storage/topic_config.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

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

// What one key accepts. Integer keys have [min, max]; string keys a list of choices.
struct key_spec {
  std::string_view name;
  config_type type = config_type::string;
  int64_t min = 0;
  int64_t max = 0;
  std::string_view range_note;  // appended to the accepted range in error messages
  std::vector<std::string_view> choices;
  std::string_view documentation;
};

key_spec integer_key(std::string_view name, config_type type, int64_t min, int64_t max,
                     std::string_view range_note, std::string_view documentation) {
  return {name, type, min, max, range_note, {}, documentation};
}

key_spec choice_key(std::string_view name, config_type type, std::vector<std::string_view> choices,
                    std::string_view documentation) {
  return {name, type, 0, 0, {}, std::move(choices), documentation};
}

const std::vector<key_spec>& specs() {
  static const std::vector<key_spec> all = {
      choice_key(cleanup_policy, config_type::list, {"delete"},
                 "How old segments are removed. Only delete (by retention.ms and "
                 "retention.bytes) is supported; Brook does not compact."),
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
                  "The largest accepted difference between a record's timestamp and the "
                  "broker's clock. Stored and described; not enforced yet."),
      integer_key(flush_messages, config_type::int64, 1, int64_max, {},
                  "1: acknowledge after fdatasync (brook.durability=sync); larger: flush in "
                  "the background every flush.ms (interval)."),
      integer_key(flush_ms, config_type::int64, 0, int64_max, {},
                  "The background flush interval in interval mode; 0 alone selects sync."),
      choice_key(brook_durability, config_type::string, {"sync", "interval"},
                 "sync: acknowledge after fdatasync, shared by concurrent appends. interval: "
                 "acknowledge after the write; flush every flush.ms."),
  };
  return all;
}

const key_spec* find_spec(std::string_view name) {
  const auto& all = specs();
  auto it = std::find_if(all.begin(), all.end(), [&](const key_spec& s) { return s.name == name; });
  return it == all.end() ? nullptr : &*it;
}

// Java's String.trim(), which Kafka applies to every value before parsing it.
std::string_view trim(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') {
    text.remove_prefix(1);
  }
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') {
    text.remove_suffix(1);
  }
  return text;
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
};

expected<parsed_value, topic_config_error> parse(const key_spec& spec, std::string_view raw) {
  std::string_view value = trim(raw);
  switch (spec.type) {
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
      // cleanup.policy: a comma-separated list; every element must be "delete".
      std::string_view rest = value;
      while (true) {
        auto comma = rest.find(',');
        std::string_view element = trim(rest.substr(0, comma));
        if (element == "compact") {
          return invalid(spec, raw,
                         "Brook does not support log compaction; the only accepted value is "
                         "delete");
        }
        if (element != "delete") {
          return invalid(spec, raw, "the only accepted value is delete");
        }
        if (comma == std::string_view::npos) {
          break;
        }
        rest.remove_prefix(comma + 1);
      }
      return parsed_value{0, "delete"};
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
std::string value_from(const log_config& c, std::string_view key) {
  bool sync = c.durability == durability::sync;
  if (key == cleanup_policy) {
    return "delete";
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
    }
    // cleanup.policy: only "delete" passes, which is what storage does.
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
      e.value = value_from(server_defaults, spec.name);
      e.source = e.value == value_from(built_in, spec.name) ? config_source::default_config
                                                            : config_source::static_broker;
    }
    e.is_default = e.source == config_source::default_config;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace brook::storage
