// topic_service, the one home of topic administration policy: creation checks (one node's
// replication, assignments, partition counts, null configs), find-or-create under
// auto-creation, delete with the groups' offsets, and config changes applied whole and
// atomically.
#include "broker/service/topic_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/broker_fixture.h"

namespace brook::broker {
namespace {

using protocol::kafka_error;

topic_request named(std::string name, int32_t partitions = 1) {
  topic_request r;
  r.name = std::move(name);
  r.partitions = partitions;
  return r;
}

TEST(TopicService, CreateUsesTheServersDefaultPartitionsForMinusOne) {
  broker_config config;
  config.default_partitions = 3;
  test::broker_fixture f(config);
  auto created = f.b->topic_admin().create(named("t", -1));
  ASSERT_TRUE(created.has_value()) << created.error().message;
  EXPECT_EQ(created->partitions, 3);
  EXPECT_FALSE(created->id.is_zero());
  EXPECT_EQ(f.b->topics().find("t")->partition_count(), 3);
}

TEST(TopicService, ReplicationAboveOneIsRefusedOnOneNode) {
  test::broker_fixture f;
  auto r = named("t");
  r.replication_factor = 3;
  auto created = f.b->topic_admin().create(r);
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, kafka_error::invalid_replication_factor);
  EXPECT_NE(created.error().message.find("larger than available brokers: 1"), std::string::npos);
  EXPECT_EQ(f.b->topics().find("t"), nullptr);
}

TEST(TopicService, ZeroReplicationZeroPartitionsAssignmentsAndNullConfigsAreRefused) {
  test::broker_fixture f;
  auto zero_rf = named("a");
  zero_rf.replication_factor = 0;
  EXPECT_EQ(f.b->topic_admin().create(zero_rf).error().code,
            kafka_error::invalid_replication_factor);
  EXPECT_EQ(f.b->topic_admin().create(named("b", 0)).error().code, kafka_error::invalid_partitions);
  auto assigned = named("c");
  assigned.manual_assignments = true;
  EXPECT_EQ(f.b->topic_admin().create(assigned).error().code, kafka_error::invalid_request);
  auto null_config = named("d");
  null_config.configs.emplace_back("retention.ms", std::nullopt);
  EXPECT_EQ(f.b->topic_admin().create(null_config).error().code, kafka_error::invalid_config);
  EXPECT_EQ(f.b->topics().size(), 0u);
}

TEST(TopicService, ValidateOnlyCreatesNothing) {
  test::broker_fixture f;
  auto r = named("t", 2);
  r.validate_only = true;
  r.configs.emplace_back("retention.ms", "1000");
  auto created = f.b->topic_admin().create(r);
  ASSERT_TRUE(created.has_value());
  EXPECT_TRUE(created->id.is_zero());
  EXPECT_EQ(created->overrides.at("retention.ms"), "1000");
  EXPECT_EQ(f.b->topics().find("t"), nullptr);
}

TEST(TopicService, ASecondCreateOfTheSameNameFails) {
  test::broker_fixture f;
  ASSERT_TRUE(f.b->topic_admin().create(named("t")).has_value());
  EXPECT_EQ(f.b->topic_admin().create(named("t")).error().code, kafka_error::topic_already_exists);
}

TEST(TopicService, FindOrCreateFollowsAutoCreation) {
  broker_config off;
  off.auto_create_topics = false;
  test::broker_fixture no_auto(off);
  auto absent = no_auto.b->topic_admin().find_or_create("t", true);
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code, kafka_error::unknown_topic_or_partition);

  test::broker_fixture f;
  EXPECT_FALSE(f.b->topic_admin().find_or_create("t", false).has_value());
  auto made = f.b->topic_admin().find_or_create("t", true);
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ((*made)->name, "t");
  auto bad = f.b->topic_admin().find_or_create("bad name!", true);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, kafka_error::invalid_topic_exception);
}

// Kafka's own topic names are refused as Kafka refuses them, and so are Brook's; other
// names with two underscores are ordinary.
TEST(TopicService, InternalNamesAreNotCreatedByClients) {
  test::broker_fixture f;
  for (const char* name :
       {"__consumer_offsets", "__transaction_state", "__cluster_metadata", "__brook_audit"}) {
    auto created = f.b->topic_admin().create(named(name));
    ASSERT_FALSE(created.has_value()) << name;
    EXPECT_EQ(created.error().code, kafka_error::invalid_request);
    EXPECT_EQ(created.error().message,
              std::string("Creation of internal topic ") + name + " is prohibited.");
    auto auto_created = f.b->topic_admin().find_or_create(name, true);
    ASSERT_FALSE(auto_created.has_value()) << name;
    EXPECT_EQ(auto_created.error().code, kafka_error::unknown_topic_or_partition);
  }
  EXPECT_EQ(f.b->topics().size(), 0u);
  EXPECT_TRUE(f.b->topic_admin().create(named("__connect_offsets")).has_value());
}

// Brook's internal topics, made by Brook itself, cannot be deleted by a client.
TEST(TopicService, BrooksInternalTopicsAreNotDeletedByClients) {
  test::broker_fixture f;
  ASSERT_TRUE(f.b->topics().create("__brook_audit", 1, {}, false).has_value());
  auto removed = f.b->topic_admin().remove("__brook_audit");
  ASSERT_FALSE(removed.has_value());
  EXPECT_EQ(removed.error().code, kafka_error::invalid_request);
  EXPECT_NE(f.b->topics().find("__brook_audit"), nullptr);
}

// The partition limits are checked before anything is made: a refused create or
// CreatePartitions leaves no directory, no store row and no open log.
TEST(TopicService, PartitionsBeyondTheLimitsAreRefusedBeforeAnythingIsMade) {
  broker_config config;
  config.max_partitions_per_topic = 8;
  config.max_partitions = 12;
  test::broker_fixture f(config);
  auto big = f.b->topic_admin().create(named("big", 9));
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, kafka_error::invalid_partitions);
  EXPECT_NE(big.error().message.find("kafka.max_partitions_per_topic"), std::string::npos)
      << big.error().message;
  EXPECT_FALSE(std::filesystem::exists(f.dir / "big-0"));
  EXPECT_FALSE(f.store->get_topic("big").has_value());

  ASSERT_TRUE(f.b->topic_admin().create(named("a", 8)).has_value());
  auto over_total = f.b->topic_admin().create(named("b", 5));
  ASSERT_FALSE(over_total.has_value());
  EXPECT_EQ(over_total.error().code, kafka_error::policy_violation);
  EXPECT_NE(over_total.error().message.find("kafka.max_partitions)"), std::string::npos)
      << over_total.error().message;
  EXPECT_TRUE(f.b->topic_admin().create(named("b", 4)).has_value());  // exactly the total
  EXPECT_EQ(f.b->topics().partition_total(), 12);

  // Auto-creation is held to the same total.
  EXPECT_EQ(f.b->topic_admin().find_or_create("c", true).error().code,
            kafka_error::policy_violation);
  // CreatePartitions too, per topic and in total.
  ASSERT_TRUE(f.b->topic_admin().remove("b").has_value());
  auto grown = f.b->topic_admin().create_partitions("a", 9, false, false);
  ASSERT_FALSE(grown.has_value());
  EXPECT_EQ(grown.error().code, kafka_error::invalid_partitions);
  EXPECT_FALSE(std::filesystem::exists(f.dir / "a-8"));
  EXPECT_EQ(f.b->topics().find("a")->partition_count(), 8);
  EXPECT_EQ(f.store->get_topic("a")->partitions, 8);
}

// The partition total and the colliding names are kept as topics come and go (not counted
// anew on each create): deleting a topic frees its partitions and its name's collisions;
// growing one counts its new partitions; a reload counts what is on disk.
TEST(TopicService, TheTotalAndTheCollisionsFollowCreatesDeletesAndGrowth) {
  broker_config config;
  config.max_partitions = 10;
  test::broker_fixture f(config);
  ASSERT_TRUE(f.b->topic_admin().create(named("a.b", 4)).has_value());
  auto collides = f.b->topic_admin().create(named("a_b"));
  ASSERT_FALSE(collides.has_value());
  EXPECT_EQ(collides.error().code, kafka_error::invalid_topic_exception);
  EXPECT_NE(collides.error().message.find("collides with existing topic: a.b"), std::string::npos);
  EXPECT_EQ(f.b->topic_admin().create(named("a.b")).error().code,
            kafka_error::topic_already_exists);
  ASSERT_TRUE(f.b->topic_admin().create_partitions("a.b", 6, false, false).has_value());
  EXPECT_EQ(f.b->topics().partition_total(), 6);
  ASSERT_TRUE(f.b->topic_admin().create(named("c", 4)).has_value());
  EXPECT_EQ(f.b->topic_admin().create(named("d", 1)).error().code, kafka_error::policy_violation);
  ASSERT_TRUE(f.b->topic_admin().remove("a.b").has_value());
  EXPECT_EQ(f.b->topics().partition_total(), 4);
  ASSERT_TRUE(f.b->topic_admin().create(named("a_b", 6)).has_value());  // free again
  EXPECT_EQ(f.b->topics().partition_total(), 10);
  EXPECT_EQ(f.b->topic_admin().create(named("a.b")).error().code,
            kafka_error::invalid_topic_exception);
}

// A create that fails part way (here: partition 3's directory cannot be made) removes
// the partitions it made and its row in the store; the name can be created afterwards.
TEST(TopicService, ACreateThatFailsPartWayIsUndoneWhole) {
  test::broker_fixture f;
  { std::ofstream blocker(f.dir / "t-3"); }  // a file where the directory should go
  auto created = f.b->topic_admin().create(named("t", 6));
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().code, kafka_error::kafka_storage_error);
  for (int p : {0, 1, 2, 4, 5}) {
    EXPECT_FALSE(std::filesystem::exists(f.dir / ("t-" + std::to_string(p)))) << p;
    EXPECT_EQ(f.logs->find("t", p), nullptr) << p;
  }
  EXPECT_FALSE(f.store->get_topic("t").has_value());
  EXPECT_EQ(f.b->topics().find("t"), nullptr);

  ASSERT_TRUE(f.b->topic_admin().create(named("u", 2)).has_value());
  { std::ofstream blocker(f.dir / "u-3"); }
  auto grown = f.b->topic_admin().create_partitions("u", 5, false, false);
  ASSERT_FALSE(grown.has_value());
  EXPECT_FALSE(std::filesystem::exists(f.dir / "u-2"));
  EXPECT_EQ(f.logs->find("u", 2), nullptr);
  EXPECT_EQ(f.store->get_topic("u")->partitions, 2);
  EXPECT_EQ(f.b->topics().find("u")->partition_count(), 2);

  std::filesystem::remove(f.dir / "t-3");
  EXPECT_TRUE(f.b->topic_admin().create(named("t", 6)).has_value());
}

TEST(TopicService, RemoveAnswersTheIdAndAnAbsentTopicIsUnknown) {
  test::broker_fixture f;
  auto created = f.b->topic_admin().create(named("t"));
  ASSERT_TRUE(created.has_value());
  auto removed = f.b->topic_admin().remove("t");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(*removed, created->id);
  EXPECT_EQ(f.b->topics().find("t"), nullptr);
  EXPECT_EQ(f.b->topic_admin().remove("t").error().code, kafka_error::unknown_topic_or_partition);
}

TEST(TopicService, AlterSetsRemovesAppendsAndSubtracts) {
  test::broker_fixture f;
  ASSERT_TRUE(f.b->topic_admin().create(named("t")).has_value());
  auto& admin = f.b->topic_admin();
  ASSERT_TRUE(admin
                  .alter_configs("t",
                                 {{"retention.ms", config_op::set, "1000"},
                                  {"cleanup.policy", config_op::append, " delete ,"}},
                                 false)
                  .has_value());
  auto t = f.b->topics().find("t");
  EXPECT_EQ(t->overrides.at("retention.ms"), "1000");
  // Appending an element the (default) list has keeps one copy, trimmed.
  EXPECT_EQ(t->overrides.at("cleanup.policy"), "delete");
  ASSERT_TRUE(admin
                  .alter_configs("t",
                                 {{"retention.ms", config_op::remove, std::nullopt},
                                  {"cleanup.policy", config_op::subtract, "absent"}},
                                 false)
                  .has_value());
  t = f.b->topics().find("t");
  EXPECT_EQ(t->overrides.count("retention.ms"), 0u);
  EXPECT_EQ(t->overrides.at("cleanup.policy"), "delete");
  // Subtracting the only element leaves an empty list, which Kafka 3.x accepts: nothing
  // deleted by retention, nothing compacted.
  ASSERT_TRUE(admin.alter_configs("t", {{"cleanup.policy", config_op::subtract, "delete"}}, false)
                  .has_value());
  EXPECT_EQ(f.b->topics().find("t")->overrides.at("cleanup.policy"), "");
  EXPECT_FALSE(f.b->topics().find("t")->config.cleanup_delete);
  EXPECT_FALSE(f.b->topics().find("t")->config.cleanup_compact);
  // An element Kafka does not know refuses the whole alteration: nothing changes.
  auto refused = admin.alter_configs(
      "t", {{"cleanup.policy", config_op::append, "shred"}, {"retention.ms", config_op::set, "7"}},
      false);
  EXPECT_FALSE(refused.has_value());
  EXPECT_EQ(f.b->topics().find("t")->overrides.count("retention.ms"), 0u);
  EXPECT_EQ(f.b->topics().find("t")->overrides.at("cleanup.policy"), "");
}

TEST(TopicService, ABadAlterationChangesNothing) {
  test::broker_fixture f;
  ASSERT_TRUE(f.b->topic_admin().create(named("t")).has_value());
  auto& admin = f.b->topic_admin();
  auto bad = admin.alter_configs(
      "t", {{"retention.ms", config_op::set, "1000"}, {"segment.bytes", config_op::set, "-5"}},
      false);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, kafka_error::invalid_config);
  EXPECT_TRUE(f.b->topics().find("t")->overrides.empty());
  auto twice = admin.alter_configs(
      "t", {{"retention.ms", config_op::set, "1"}, {"retention.ms", config_op::set, "2"}}, false);
  EXPECT_EQ(twice.error().code, kafka_error::invalid_request);
  auto append_to_scalar =
      admin.alter_configs("t", {{"retention.ms", config_op::append, "1"}}, false);
  EXPECT_EQ(append_to_scalar.error().code, kafka_error::invalid_config);
  EXPECT_EQ(admin.alter_configs("absent", {}, false).error().code,
            kafka_error::unknown_topic_or_partition);
  EXPECT_TRUE(f.b->topics().find("t")->overrides.empty());
}

TEST(TopicService, ConcurrentAlterationsOfDifferentKeysAreAllKept) {
  // Each thread sets its own key many times: a read-modify-write outside the admin lock
  // would lose other threads' keys.
  test::broker_fixture f;
  ASSERT_TRUE(f.b->topic_admin().create(named("t")).has_value());
  const std::vector<std::string> keys = {"retention.ms", "segment.ms", "retention.bytes",
                                         "max.message.bytes"};
  std::vector<std::thread> threads;
  for (size_t k = 0; k < keys.size(); ++k) {
    threads.emplace_back([&, k] {
      for (int i = 0; i < 50; ++i) {
        auto done = f.b->topic_admin().alter_configs(
            "t", {{keys[k], config_op::set, std::to_string(100000 + i)}}, false);
        EXPECT_TRUE(done.has_value()) << done.error().message;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  auto t = f.b->topics().find("t");
  for (const auto& k : keys) {
    ASSERT_EQ(t->overrides.count(k), 1u) << k;
    EXPECT_EQ(t->overrides.at(k), "100049");
  }
}

TEST(TopicService, ValidateOnlyAlterationChangesNothing) {
  test::broker_fixture f;
  ASSERT_TRUE(f.b->topic_admin().create(named("t")).has_value());
  ASSERT_TRUE(f.b->topic_admin()
                  .alter_configs("t", {{"retention.ms", config_op::set, "5"}}, true)
                  .has_value());
  EXPECT_TRUE(f.b->topics().find("t")->overrides.empty());
}

}  // namespace
}  // namespace brook::broker
