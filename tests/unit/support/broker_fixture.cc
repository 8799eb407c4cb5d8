#include "support/broker_fixture.h"

#include <gtest/gtest.h>

namespace brook::test {

broker_fixture::broker_fixture(broker::broker_config config,
                               broker::group::group_config groups_config) {
  storage::log_config defaults;
  logs =
      std::make_unique<storage::log_manager>(storage::log_manager::options{dir.path(), defaults});
  EXPECT_TRUE(logs->open_all().has_value());
  store = storage::metadata_store::open(dir / "metadata.db").value();
  topics = std::make_unique<broker::topic_table>(
      *logs, *store, defaults,
      broker::partition_limits{config.max_partitions_per_topic, config.max_partitions});
  EXPECT_TRUE(topics->load().has_value());
  config.port = 0;
  b = broker::broker::open(config, dir.path(), *logs, *topics).value();
  b->set_bound_port("PLAINTEXT", 19092);
  users = security::user_directory::open(dir.path()).value();
  b->set_users(*users);
  group_store = storage::group_store::open(dir / "groups.db", false).value();
  // As `brook serve`: commits go only to partitions that exist.
  io.start();
  groups = broker::group::group_coordinator::open(
               groups_config, *group_store,
               [this](const std::string& topic, int32_t partition) {
                 auto t = topics->find(topic);
                 return t && t->partition(partition) != nullptr;
               },
               io.next_executor())
               .value();
  b->set_groups(*groups);
}

broker_fixture::~broker_fixture() {
  groups->stop();
  groups.reset();
  group_store.reset();
  (void)logs->close_all();
}

}  // namespace brook::test
