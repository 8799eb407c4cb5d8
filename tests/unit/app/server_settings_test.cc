#include "app/server_settings.h"

#include <gtest/gtest.h>

#include <set>

namespace brook::app {
namespace {

// The error's message, or "" when there is none.
template <typename T>
std::string refusal(const outcome<T>& r) {
  return r ? std::string() : r.error();
}

TEST(ServerSettings, KeysFlagsAndVariablesAreUnique) {
  std::set<std::string_view> keys;
  std::set<std::string_view> flags;
  std::set<std::string> envs;
  for (const auto& s : server_settings()) {
    EXPECT_TRUE(keys.insert(s.key).second) << s.key;
    EXPECT_TRUE(flags.insert(s.flag).second) << s.flag;
    EXPECT_TRUE(envs.insert(s.env_name()).second) << s.key;
    EXPECT_TRUE(s.flag.starts_with("--")) << s.key;
    EXPECT_FALSE(s.type.empty()) << s.key;
    EXPECT_FALSE(s.help.empty()) << s.key;
  }
  EXPECT_EQ(find_server_setting("storage.segment_bytes")->env_name(),
            "BROOK_STORAGE_SEGMENT_BYTES");
  EXPECT_EQ(find_server_setting("storage.segment_byte"), nullptr);
}

// Every default, written out, reads back as itself: --print-config output is a valid
// --config file, and the table's formatter and parser agree.
TEST(ServerSettings, EveryDefaultRoundTrips) {
  for (const auto& s : server_settings()) {
    server_config c;
    auto text = s.default_value();
    if (text.empty()) {
      continue;  // kafka.advertised_host: empty means "the listening address"
    }
    EXPECT_EQ(refusal(s.parse(c, text)), "") << s.key << " = " << text;
    EXPECT_EQ(s.format(c), text) << s.key;
  }
}

TEST(ServerSettings, ValuesReachTheirFields) {
  server_config c;
  EXPECT_EQ(refusal(set_config_value(c, "groups.offsets_retention_minutes", "2")), "");
  EXPECT_EQ(c.kafka.groups.offsets_retention_ms, 120'000);
  EXPECT_EQ(refusal(set_config_value(c, "http.idle_timeout_ms", "1500")), "");
  EXPECT_EQ(c.http.idle_timeout.count(), 1500);
  EXPECT_EQ(refusal(set_config_value(c, "storage.durability", "interval")), "");
  EXPECT_EQ(c.storage.durability, storage::durability::interval);
  EXPECT_EQ(refusal(set_config_value(c, "storage.retention_check_interval_ms", "7")), "");
  EXPECT_EQ(c.retention_check_interval.count(), 7);
  EXPECT_EQ(refusal(set_config_value(c, "kafka.auto_create_topics", "false")), "");
  EXPECT_FALSE(c.kafka.auto_create_topics);
}

TEST(ServerSettings, RefusalsKeepTheirWording) {
  server_config c;
  EXPECT_EQ(refusal(set_config_value(c, "storage.durability", "always")),
            "storage.durability: must be 'sync' or 'interval', got 'always'");
  EXPECT_EQ(refusal(set_config_value(c, "log_level", "loud")),
            "log_level: must be one of trace, debug, info, warn, error, off, got 'loud'");
  EXPECT_EQ(refusal(set_config_value(c, "http.enabled", "maybe")),
            "http.enabled: must be true or false, got 'maybe'");
  EXPECT_EQ(refusal(set_config_value(c, "storage.segment_bytes", "10")),
            "storage.segment_bytes: must be between 1024 and 2147483647, got '10'");
  EXPECT_EQ(refusal(set_config_value(c, "kafka.host", "")),
            "kafka.host: must be an IP address, got ''");
  EXPECT_EQ(refusal(set_config_value(c, "nope", "1")), "unknown setting 'nope'");
}

}  // namespace
}  // namespace brook::app
