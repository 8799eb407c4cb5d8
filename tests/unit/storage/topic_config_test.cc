#include "storage/topic_config.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace brook::storage {
namespace {

using configs = std::map<std::string, std::string>;

// The message for key=value, or "" when accepted.
std::string error_of(std::string_view key, std::string_view value) {
  auto valid = validate_topic_config(key, value);
  return valid ? std::string() : valid.error().message;
}

bool accepted(std::string_view key, std::string_view value) {
  return validate_topic_config(key, value).has_value();
}

log_config apply_ok(const configs& overrides, const log_config& defaults = {}) {
  auto out = apply_topic_configs(defaults, overrides);
  if (!out) {
    ADD_FAILURE() << out.error().message;
    return defaults;
  }
  return *out;
}

const topic_config_entry& entry(const std::vector<topic_config_entry>& all, std::string_view name) {
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == name; });
  EXPECT_NE(it, all.end()) << name;
  return *it;
}

TEST(TopicConfig, UnknownKeyIsReportedAsKafkaDoes) {
  auto e = validate_topic_config("retention.msx", "1");
  ASSERT_FALSE(e);
  EXPECT_TRUE(e.error().unknown_key);
  EXPECT_EQ(e.error().key, "retention.msx");
  EXPECT_EQ(e.error().message, "Unknown topic config name: retention.msx");
  auto out = apply_topic_configs({}, {{"compression.typo", "zstd"}});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message, "Unknown topic config name: compression.typo");
  EXPECT_FALSE(accepted("", "1"));
}

TEST(TopicConfig, RetentionMs) {
  EXPECT_TRUE(accepted("retention.ms", "0"));
  EXPECT_TRUE(accepted("retention.ms", "3600000"));
  EXPECT_TRUE(accepted("retention.ms", "-1"));
  EXPECT_TRUE(accepted("retention.ms", "9223372036854775807"));
  EXPECT_TRUE(accepted("retention.ms", " 42 "));  // Kafka trims
  EXPECT_TRUE(accepted("retention.ms", "+42"));
  EXPECT_EQ(error_of("retention.ms", "-2"),
            "Invalid value -2 for configuration retention.ms: Value must be at least -1 "
            "(accepted: -1 to 9223372036854775807, -1 keeps data forever)");
  EXPECT_EQ(error_of("retention.ms", "99999999999999999999"),
            "Invalid value 99999999999999999999 for configuration retention.ms: Not a number of "
            "type LONG (accepted: -1 to 9223372036854775807, -1 keeps data forever)");
  EXPECT_FALSE(accepted("retention.ms", "-9223372036854775809"));
  EXPECT_FALSE(accepted("retention.ms", ""));
  EXPECT_FALSE(accepted("retention.ms", "  "));
  EXPECT_FALSE(accepted("retention.ms", "1h"));
  EXPECT_FALSE(accepted("retention.ms", "1.5"));
  EXPECT_FALSE(accepted("retention.ms", "0x10"));
  EXPECT_FALSE(accepted("retention.ms", "+-1"));
  EXPECT_FALSE(accepted("retention.ms", "+"));
  EXPECT_EQ(apply_ok({{"retention.ms", "-1"}}).retention_ms.count(), -1);
  EXPECT_EQ(apply_ok({{"retention.ms", "60000"}}).retention_ms.count(), 60000);
}

TEST(TopicConfig, RetentionBytes) {
  EXPECT_TRUE(accepted("retention.bytes", "-1"));
  EXPECT_TRUE(accepted("retention.bytes", "0"));
  EXPECT_TRUE(accepted("retention.bytes", "1073741824"));
  EXPECT_TRUE(accepted("retention.bytes", "9223372036854775807"));
  auto e = error_of("retention.bytes", "-5");
  EXPECT_NE(e.find("retention.bytes"), std::string::npos) << e;
  EXPECT_NE(e.find("-5"), std::string::npos) << e;
  EXPECT_NE(e.find("Value must be at least -1"), std::string::npos) << e;
  EXPECT_FALSE(accepted("retention.bytes", "9223372036854775808"));
  EXPECT_FALSE(accepted("retention.bytes", ""));
  EXPECT_FALSE(accepted("retention.bytes", "1GB"));
  EXPECT_EQ(apply_ok({{"retention.bytes", "1000"}}).retention_bytes, 1000);
}

TEST(TopicConfig, SegmentBytesHasKafkasMinimumOf14) {
  EXPECT_TRUE(accepted("segment.bytes", "14"));
  EXPECT_TRUE(accepted("segment.bytes", "1048576"));
  EXPECT_TRUE(accepted("segment.bytes", "2147483647"));
  EXPECT_EQ(error_of("segment.bytes", "13"),
            "Invalid value 13 for configuration segment.bytes: Value must be at least 14 "
            "(accepted: 14 to 2147483647)");
  EXPECT_EQ(error_of("segment.bytes", "2147483648"),
            "Invalid value 2147483648 for configuration segment.bytes: Not a number of type INT "
            "(accepted: 14 to 2147483647)");
  EXPECT_FALSE(accepted("segment.bytes", "-1"));
  EXPECT_FALSE(accepted("segment.bytes", "0"));
  EXPECT_FALSE(accepted("segment.bytes", ""));
  EXPECT_EQ(apply_ok({{"segment.bytes", "14"}}).segment_bytes, 14u);
}

TEST(TopicConfig, SegmentMs) {
  EXPECT_TRUE(accepted("segment.ms", "1"));
  EXPECT_TRUE(accepted("segment.ms", "9223372036854775807"));
  EXPECT_NE(error_of("segment.ms", "0").find("Value must be at least 1"), std::string::npos);
  EXPECT_FALSE(accepted("segment.ms", "-1"));
  EXPECT_FALSE(accepted("segment.ms", "99999999999999999999"));
  EXPECT_FALSE(accepted("segment.ms", ""));
  EXPECT_EQ(apply_ok({{"segment.ms", "1000"}}).segment_ms.count(), 1000);
}

TEST(TopicConfig, CleanupPolicy) {
  for (const char* v : {"delete", " delete ", "compact", "compact,delete", "delete, compact", ""}) {
    EXPECT_TRUE(accepted("cleanup.policy", v)) << v;
  }
  EXPECT_EQ(error_of("cleanup.policy", "remove"),
            "Invalid value remove for configuration cleanup.policy: String must be one of: "
            "compact, delete");
  EXPECT_FALSE(accepted("cleanup.policy", "delete,"));
  EXPECT_FALSE(accepted("cleanup.policy", "Delete"));
  EXPECT_FALSE(accepted("cleanup.policy", "compact,,delete"));
  auto both = apply_ok({{"cleanup.policy", "delete , compact"}});
  EXPECT_TRUE(both.cleanup_compact);
  EXPECT_TRUE(both.cleanup_delete);
  auto compact = apply_ok({{"cleanup.policy", "compact"}});
  EXPECT_TRUE(compact.cleanup_compact);
  EXPECT_FALSE(compact.cleanup_delete);
  auto neither = apply_ok({{"cleanup.policy", ""}});
  EXPECT_FALSE(neither.cleanup_compact);
  EXPECT_FALSE(neither.cleanup_delete);
  auto plain = apply_ok({});
  EXPECT_FALSE(plain.cleanup_compact);
  EXPECT_TRUE(plain.cleanup_delete);
  auto all = describe_topic_configs({}, {{"cleanup.policy", " delete , compact "}});
  EXPECT_EQ(entry(all, "cleanup.policy").value, "delete,compact");
  EXPECT_EQ(entry(describe_topic_configs({}, {}), "cleanup.policy").value, "delete");
}

TEST(TopicConfig, CompactionSettings) {
  auto c = apply_ok({{"delete.retention.ms", "1000"},
                     {"min.compaction.lag.ms", "5"},
                     {"max.compaction.lag.ms", "60000"},
                     {"min.cleanable.dirty.ratio", ".25"}});
  EXPECT_EQ(c.delete_retention_ms, 1000);
  EXPECT_EQ(c.min_compaction_lag_ms, 5);
  EXPECT_EQ(c.max_compaction_lag_ms, 60000);
  EXPECT_DOUBLE_EQ(c.min_cleanable_dirty_ratio, 0.25);
  auto all = describe_topic_configs(c, {});
  EXPECT_EQ(entry(all, "min.cleanable.dirty.ratio").value, "0.25");
  EXPECT_EQ(entry(all, "min.cleanable.dirty.ratio").source, config_source::static_broker);
  EXPECT_EQ(entry(all, "delete.retention.ms").value, "1000");
  EXPECT_FALSE(accepted("min.cleanable.dirty.ratio", "1.5"));
  EXPECT_FALSE(accepted("min.compaction.lag.ms", "-1"));
  // Kafka's cross-check.
  auto conflict =
      apply_topic_configs({}, {{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "5"}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().message,
            "conflict topic config setting min.compaction.lag.ms (10) > max.compaction.lag.ms (5)");
}

TEST(TopicConfig, MaxMessageBytes) {
  EXPECT_TRUE(accepted("max.message.bytes", "64"));
  EXPECT_TRUE(accepted("max.message.bytes", "1048588"));
  EXPECT_TRUE(accepted("max.message.bytes", "1073741824"));
  EXPECT_NE(error_of("max.message.bytes", "63").find("Value must be at least 64"),
            std::string::npos);
  EXPECT_NE(error_of("max.message.bytes", "1073741825").find("Value must be no more than"),
            std::string::npos);
  EXPECT_FALSE(accepted("max.message.bytes", "-1"));
  EXPECT_FALSE(accepted("max.message.bytes", "4294967296"));
  EXPECT_FALSE(accepted("max.message.bytes", ""));
  EXPECT_EQ(apply_ok({{"max.message.bytes", "2000000"}}).max_message_bytes, 2000000u);
}

TEST(TopicConfig, IndexIntervalBytes) {
  EXPECT_TRUE(accepted("index.interval.bytes", "1"));
  EXPECT_TRUE(accepted("index.interval.bytes", "4096"));
  EXPECT_FALSE(accepted("index.interval.bytes", "0"));
  EXPECT_FALSE(accepted("index.interval.bytes", ""));
  EXPECT_EQ(apply_ok({{"index.interval.bytes", "100"}}).index_interval_bytes, 100u);
}

TEST(TopicConfig, MessageTimestampType) {
  EXPECT_TRUE(accepted("message.timestamp.type", "CreateTime"));
  EXPECT_TRUE(accepted("message.timestamp.type", "LogAppendTime"));
  EXPECT_EQ(error_of("message.timestamp.type", "createtime"),
            "Invalid value createtime for configuration message.timestamp.type: String must be "
            "one of: CreateTime, LogAppendTime");
  EXPECT_FALSE(accepted("message.timestamp.type", ""));
  EXPECT_FALSE(accepted("message.timestamp.type", "1"));
  EXPECT_EQ(apply_ok({}).timestamp_type, timestamp_type::create_time);
  EXPECT_EQ(apply_ok({{"message.timestamp.type", "LogAppendTime"}}).timestamp_type,
            timestamp_type::log_append_time);
}

TEST(TopicConfig, MessageTimestampDifferenceMaxMs) {
  EXPECT_TRUE(accepted("message.timestamp.difference.max.ms", "0"));
  EXPECT_TRUE(accepted("message.timestamp.difference.max.ms", "9223372036854775807"));
  EXPECT_FALSE(accepted("message.timestamp.difference.max.ms", "-1"));
  EXPECT_FALSE(accepted("message.timestamp.difference.max.ms", "99999999999999999999"));
  EXPECT_FALSE(accepted("message.timestamp.difference.max.ms", ""));
  EXPECT_EQ(apply_ok({}).timestamp_difference_max_ms, INT64_MAX);
  EXPECT_EQ(
      apply_ok({{"message.timestamp.difference.max.ms", "3600000"}}).timestamp_difference_max_ms,
      3600000);
}

TEST(TopicConfig, MessageTimestampBeforeAndAfterMaxMs) {
  for (const char* key : {"message.timestamp.before.max.ms", "message.timestamp.after.max.ms"}) {
    EXPECT_TRUE(accepted(key, "0"));
    EXPECT_TRUE(accepted(key, "9223372036854775807"));
    EXPECT_FALSE(accepted(key, "-1"));
    EXPECT_FALSE(accepted(key, "1.5"));
  }
  EXPECT_EQ(apply_ok({}).timestamp_before_max_ms, INT64_MAX);
  auto c = apply_ok({{"message.timestamp.before.max.ms", "3600000"},
                     {"message.timestamp.after.max.ms", "60000"}});
  EXPECT_EQ(c.timestamp_before_max_ms, 3600000);
  EXPECT_EQ(c.timestamp_after_max_ms, 60000);
}

TEST(TopicConfig, CompressionType) {
  for (const char* v : {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}) {
    EXPECT_TRUE(accepted("compression.type", v)) << v;
  }
  EXPECT_TRUE(accepted("compression.type", " gzip "));
  EXPECT_EQ(error_of("compression.type", "none"),
            "Invalid value none for configuration compression.type: String must be one of: "
            "uncompressed, zstd, lz4, snappy, gzip, producer");
  EXPECT_FALSE(accepted("compression.type", "GZIP"));
  EXPECT_FALSE(accepted("compression.type", ""));
  EXPECT_EQ(apply_ok({}).compression, std::nullopt);
  EXPECT_EQ(apply_ok({{"compression.type", "producer"}}).compression, std::nullopt);
  EXPECT_EQ(apply_ok({{"compression.type", "uncompressed"}}).compression,
            protocol::compression::none);
  EXPECT_EQ(apply_ok({{"compression.type", "zstd"}}).compression, protocol::compression::zstd);
  EXPECT_EQ(
      entry(describe_topic_configs({}, {{"compression.type", "lz4"}}), "compression.type").value,
      "lz4");
}

TEST(TopicConfig, MinInsyncReplicas) {
  EXPECT_TRUE(accepted("min.insync.replicas", "1"));
  EXPECT_TRUE(accepted("min.insync.replicas", "3"));
  EXPECT_NE(error_of("min.insync.replicas", "0").find("Value must be at least 1"),
            std::string::npos);
  EXPECT_FALSE(accepted("min.insync.replicas", "2147483648"));
  EXPECT_EQ(apply_ok({}).min_insync_replicas, 1);
  EXPECT_EQ(apply_ok({{"min.insync.replicas", "2"}}).min_insync_replicas, 2);
}

// Keys Kafka 3.x accepts that change nothing in Brook: validated as Kafka does, stored,
// described with Kafka's defaults.
TEST(TopicConfig, StoredKeysAreValidatedAsKafkaDoes) {
  const std::vector<std::pair<const char*, const char*>> defaults = {
      {"delete.retention.ms", "86400000"},
      {"file.delete.delay.ms", "60000"},
      {"follower.replication.throttled.replicas", ""},
      {"leader.replication.throttled.replicas", ""},
      {"local.retention.bytes", "-2"},
      {"local.retention.ms", "-2"},
      {"max.compaction.lag.ms", "9223372036854775807"},
      {"message.downconversion.enable", "true"},
      {"message.format.version", "3.0-IV1"},
      {"min.cleanable.dirty.ratio", "0.5"},
      {"min.compaction.lag.ms", "0"},
      {"preallocate", "false"},
      {"remote.storage.enable", "false"},
      {"segment.index.bytes", "10485760"},
      {"segment.jitter.ms", "0"},
      {"unclean.leader.election.enable", "false"},
  };
  auto all = describe_topic_configs({}, {});
  for (const auto& [key, value] : defaults) {
    EXPECT_EQ(entry(all, key).value, value) << key;
    EXPECT_TRUE(entry(all, key).is_default) << key;
  }
  // Integers.
  EXPECT_TRUE(accepted("delete.retention.ms", "0"));
  EXPECT_FALSE(accepted("delete.retention.ms", "-1"));
  EXPECT_TRUE(accepted("local.retention.ms", "-2"));
  EXPECT_FALSE(accepted("local.retention.bytes", "-3"));
  EXPECT_FALSE(accepted("max.compaction.lag.ms", "0"));
  EXPECT_TRUE(accepted("segment.index.bytes", "4"));
  EXPECT_FALSE(accepted("segment.index.bytes", "3"));
  EXPECT_FALSE(accepted("segment.index.bytes", "2147483648"));
  // Booleans: true or false in any case, nothing else.
  for (const char* v : {"true", "false", "TRUE", " False "}) {
    EXPECT_TRUE(accepted("preallocate", v)) << v;
    EXPECT_TRUE(accepted("unclean.leader.election.enable", v)) << v;
  }
  EXPECT_EQ(error_of("preallocate", "yes"),
            "Invalid value yes for configuration preallocate: Expected value to be either true "
            "or false");
  EXPECT_FALSE(accepted("message.downconversion.enable", "1"));
  EXPECT_TRUE(accepted("remote.storage.enable", "false"));
  EXPECT_NE(error_of("remote.storage.enable", "true").find("no tiered (remote) storage"),
            std::string::npos);
  EXPECT_EQ(entry(describe_topic_configs({}, {{"preallocate", "TRUE"}}), "preallocate").value,
            "true");
  // A ratio: a DOUBLE within [0, 1].
  for (const char* v : {"0", "1", "0.5", ".25", "5e-1", "1.0"}) {
    EXPECT_TRUE(accepted("min.cleanable.dirty.ratio", v)) << v;
  }
  for (const char* v : {"-0.1", "1.01", "NaN", "Infinity", "half", ""}) {
    EXPECT_FALSE(accepted("min.cleanable.dirty.ratio", v)) << v;
  }
  EXPECT_NE(error_of("min.cleanable.dirty.ratio", "2").find("Value must be no more than 1"),
            std::string::npos);
  EXPECT_EQ(entry(describe_topic_configs({}, {{"min.cleanable.dirty.ratio", "1"}}),
                  "min.cleanable.dirty.ratio")
                .value,
            "1.0");
  // A Kafka version.
  for (const char* v : {"0.8.0", "0.10.2", "0.10.0-IV1", "0.11.0", "1.0", "2.8", "2.8.1", "3.0",
                        "3.0-IV1", "3.9"}) {
    EXPECT_TRUE(accepted("message.format.version", v)) << v;
  }
  for (const char* v : {"0.10", "0.7.0", "4.0", "2.9", "3", "3.x", "3.0-IV", "banana", ""}) {
    EXPECT_FALSE(accepted("message.format.version", v)) << v;
  }
  // Throttled replica lists: "*" or partition:broker pairs.
  for (const char* v : {"", "*", "0:1", "0:1,1:1", " 0:1 , 2:1 "}) {
    EXPECT_TRUE(accepted("leader.replication.throttled.replicas", v)) << v;
  }
  for (const char* v : {"0", "a:1", "0:1,*", "0:-1", "1:2:3"}) {
    EXPECT_FALSE(accepted("follower.replication.throttled.replicas", v)) << v;
  }
  EXPECT_NE(error_of("leader.replication.throttled.replicas", "x")
                .find("must be the literal '*' or a list of replicas"),
            std::string::npos);
  EXPECT_EQ(
      entry(describe_topic_configs({}, {{"leader.replication.throttled.replicas", " 0:1 , 2:1 "}}),
            "leader.replication.throttled.replicas")
          .value,
      "0:1,2:1");
  // Stored keys change nothing.
  auto c = apply_ok({{"preallocate", "true"},
                     {"segment.jitter.ms", "1000"},
                     {"message.format.version", "0.10.2"}});
  EXPECT_EQ(c.segment_ms, log_config{}.segment_ms);
  EXPECT_EQ(c.segment_bytes, log_config{}.segment_bytes);
}

TEST(TopicConfig, FlushMessagesAndFlushMs) {
  EXPECT_TRUE(accepted("flush.messages", "1"));
  EXPECT_TRUE(accepted("flush.messages", "9223372036854775807"));
  EXPECT_FALSE(accepted("flush.messages", "0"));
  EXPECT_FALSE(accepted("flush.messages", "-1"));
  EXPECT_FALSE(accepted("flush.messages", ""));
  EXPECT_TRUE(accepted("flush.ms", "0"));
  EXPECT_TRUE(accepted("flush.ms", "9223372036854775807"));
  EXPECT_FALSE(accepted("flush.ms", "-1"));
  EXPECT_FALSE(accepted("flush.ms", "99999999999999999999"));
  EXPECT_FALSE(accepted("flush.ms", ""));
}

TEST(TopicConfig, BrookDurability) {
  EXPECT_TRUE(accepted("brook.durability", "sync"));
  EXPECT_TRUE(accepted("brook.durability", "interval"));
  EXPECT_EQ(error_of("brook.durability", "async"),
            "Invalid value async for configuration brook.durability: String must be one of: "
            "sync, interval");
  EXPECT_FALSE(accepted("brook.durability", ""));
  EXPECT_FALSE(accepted("brook.durability", "SYNC"));
}

TEST(TopicConfig, DurabilityFromFlushSettings) {
  log_config sync_server;
  log_config interval_server;
  interval_server.durability = durability::interval;
  interval_server.flush_interval = std::chrono::milliseconds(2500);

  // No overrides: the server's mode.
  EXPECT_EQ(apply_ok({}, sync_server).durability, durability::sync);
  EXPECT_EQ(apply_ok({}, interval_server).durability, durability::interval);
  // flush.messages=1: sync; larger: interval with the server's interval or flush.ms.
  EXPECT_EQ(apply_ok({{"flush.messages", "1"}}, interval_server).durability, durability::sync);
  auto c = apply_ok({{"flush.messages", "10000"}}, sync_server);
  EXPECT_EQ(c.durability, durability::interval);
  EXPECT_EQ(c.flush_interval, sync_server.flush_interval);
  c = apply_ok({{"flush.messages", "10000"}, {"flush.ms", "200"}}, sync_server);
  EXPECT_EQ(c.durability, durability::interval);
  EXPECT_EQ(c.flush_interval.count(), 200);
  // flush.ms alone: 0 is sync, larger is interval.
  EXPECT_EQ(apply_ok({{"flush.ms", "0"}}, interval_server).durability, durability::sync);
  c = apply_ok({{"flush.ms", "500"}}, sync_server);
  EXPECT_EQ(c.durability, durability::interval);
  EXPECT_EQ(c.flush_interval.count(), 500);
  // Kafka's default, Long.MAX_VALUE, is capped.
  c = apply_ok({{"flush.ms", "9223372036854775807"}}, sync_server);
  EXPECT_EQ(c.durability, durability::interval);
  EXPECT_EQ(c.flush_interval.count(), max_flush_interval_ms);
  // brook.durability wins over both.
  c = apply_ok({{"brook.durability", "sync"}, {"flush.messages", "100"}, {"flush.ms", "50"}},
               interval_server);
  EXPECT_EQ(c.durability, durability::sync);
  c = apply_ok({{"brook.durability", "interval"}, {"flush.messages", "1"}, {"flush.ms", "50"}},
               sync_server);
  EXPECT_EQ(c.durability, durability::interval);
  EXPECT_EQ(c.flush_interval.count(), 50);
  EXPECT_EQ(apply_ok({{"brook.durability", "interval"}}, sync_server).flush_interval,
            sync_server.flush_interval);
}

TEST(TopicConfig, ApplyKeepsServerDefaultsForKeysNotOverridden) {
  log_config server;
  server.retention_ms = std::chrono::milliseconds(1000);
  server.segment_bytes = 4096;
  auto c = apply_ok({{"retention.bytes", "77"}}, server);
  EXPECT_EQ(c.retention_ms.count(), 1000);
  EXPECT_EQ(c.segment_bytes, 4096u);
  EXPECT_EQ(c.retention_bytes, 77);
  EXPECT_TRUE(c.validate());
}

TEST(TopicConfig, ApplyReportsTheFirstBadOverride) {
  auto out = apply_topic_configs(
      {}, {{"retention.ms", "1000"}, {"segment.bytes", "1"}, {"segment.ms", "0"}});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().key, "segment.bytes");
  EXPECT_FALSE(out.error().unknown_key);
  EXPECT_NE(out.error().message.find("segment.bytes"), std::string::npos);
}

TEST(TopicConfig, DescribeListsEverySupportedKeyWithTypes) {
  auto all = describe_topic_configs({}, {});
  ASSERT_EQ(all.size(), topic_config_names().size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].name, topic_config_names()[i]);
    EXPECT_FALSE(all[i].read_only);
    EXPECT_FALSE(all[i].sensitive);
    EXPECT_TRUE(all[i].is_default) << all[i].name;
    EXPECT_EQ(all[i].source, config_source::default_config) << all[i].name;
    EXPECT_FALSE(all[i].documentation.empty()) << all[i].name;
    // Every described value is accepted back as an override.
    EXPECT_TRUE(accepted(all[i].name, all[i].value)) << all[i].name << "=" << all[i].value;
  }
  EXPECT_EQ(entry(all, "retention.ms").value, "604800000");
  EXPECT_EQ(static_cast<int>(entry(all, "retention.ms").type), 5);  // LONG
  EXPECT_EQ(entry(all, "retention.bytes").value, "-1");
  EXPECT_EQ(static_cast<int>(entry(all, "segment.bytes").type), 3);  // INT
  EXPECT_EQ(entry(all, "segment.bytes").value, "1073741824");
  EXPECT_EQ(static_cast<int>(entry(all, "cleanup.policy").type), 7);  // LIST
  EXPECT_EQ(entry(all, "cleanup.policy").value, "delete");
  EXPECT_EQ(static_cast<int>(entry(all, "message.timestamp.type").type), 2);  // STRING
  EXPECT_EQ(entry(all, "message.timestamp.type").value, "CreateTime");
  EXPECT_EQ(entry(all, "message.timestamp.difference.max.ms").value, "9223372036854775807");
  EXPECT_EQ(entry(all, "max.message.bytes").value, "1048588");
  EXPECT_EQ(entry(all, "brook.durability").value, "sync");
  EXPECT_EQ(entry(all, "flush.messages").value, "1");
  EXPECT_EQ(entry(all, "flush.ms").value, "0");
}

TEST(TopicConfig, DescribeShowsOverridesAndServerSettings) {
  log_config server;
  server.retention_bytes = 5000;
  server.durability = durability::interval;
  server.flush_interval = std::chrono::milliseconds(300);
  auto all = describe_topic_configs(
      server, {{"retention.ms", " +100 "}, {"message.timestamp.type", "LogAppendTime"}});
  const auto& ms = entry(all, "retention.ms");
  EXPECT_EQ(ms.value, "100");  // canonical form
  EXPECT_EQ(ms.source, config_source::topic);
  EXPECT_FALSE(ms.is_default);
  EXPECT_EQ(entry(all, "message.timestamp.type").value, "LogAppendTime");
  const auto& bytes = entry(all, "retention.bytes");
  EXPECT_EQ(bytes.value, "5000");
  EXPECT_EQ(bytes.source, config_source::static_broker);
  EXPECT_FALSE(bytes.is_default);
  EXPECT_EQ(entry(all, "brook.durability").value, "interval");
  EXPECT_EQ(entry(all, "flush.ms").value, "300");
  EXPECT_EQ(entry(all, "flush.messages").value, "9223372036854775807");
  EXPECT_EQ(entry(all, "segment.bytes").source, config_source::default_config);
  EXPECT_TRUE(entry(all, "segment.bytes").is_default);

  // Described values, given back as overrides, give the same log_config.
  configs round_trip;
  for (const auto& e : all) {
    round_trip[e.name] = e.value;
  }
  auto effective =
      apply_ok({{"retention.ms", "100"}, {"message.timestamp.type", "LogAppendTime"}}, server);
  auto again = apply_ok(round_trip, {});
  EXPECT_EQ(again.retention_ms, effective.retention_ms);
  EXPECT_EQ(again.retention_bytes, effective.retention_bytes);
  EXPECT_EQ(again.durability, effective.durability);
  EXPECT_EQ(again.flush_interval, effective.flush_interval);
  EXPECT_EQ(again.timestamp_type, effective.timestamp_type);
}

TEST(TopicConfig, DescribeShowsAStoredBadOverrideAsGiven) {
  auto all = describe_topic_configs({}, {{"segment.bytes", "1"}, {"not.a.config", "x"}});
  EXPECT_EQ(entry(all, "segment.bytes").value, "1");
  EXPECT_EQ(entry(all, "segment.bytes").source, config_source::topic);
  EXPECT_EQ(all.size(), topic_config_names().size());
}

}  // namespace
}  // namespace brook::storage
