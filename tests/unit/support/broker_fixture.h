// broker_fixture: storage, metadata, topics, a broker and its group coordinator in a
// temporary data directory, wired as `brook serve` wires them, with no listener. For tests
// of the broker's services and of the local event backend.
#pragma once

#include <memory>

#include "broker/broker.h"
#include "broker/broker_config.h"
#include "broker/group/group_coordinator.h"
#include "broker/topic_table.h"
#include "net/io_pool.h"
#include "security/user_directory.h"
#include "storage/group_store.h"
#include "storage/log_manager.h"
#include "storage/metadata_store.h"
#include "support/temp_dir.h"

namespace brook::test {

struct broker_fixture {
  temp_dir dir;
  std::unique_ptr<storage::log_manager> logs;
  std::unique_ptr<storage::metadata_store> store;
  std::unique_ptr<broker::topic_table> topics;
  std::unique_ptr<broker::broker> b;
  std::unique_ptr<security::user_directory> users;
  std::unique_ptr<storage::group_store> group_store;
  net::io_pool io{"test-io", 1};  // the coordinator's timer runs here
  std::unique_ptr<broker::group::group_coordinator> groups;

  explicit broker_fixture(broker::broker_config config = {},
                          broker::group::group_config groups_config = {});
  ~broker_fixture();
  broker_fixture(const broker_fixture&) = delete;
  broker_fixture& operator=(const broker_fixture&) = delete;
};

}  // namespace brook::test
