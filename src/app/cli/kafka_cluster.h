// kafka_cluster: the client of `brook` commands that talk to a Kafka cluster (Brook or any
// other): the brokers behind a bootstrap address, one blocking kafka_client each, found as
// the commands need them: the bootstrap broker, partition leaders (Metadata), and group
// coordinators (FindCoordinator).
//
//   kafka_cluster cl("127.0.0.1:9092", kafka_client::options{});
//   auto c = cl.coordinator("orders");     // outcome<kafka_client*>
//   auto r = (*c)->call<protocol::describe_groups_response>(request);
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/kafka_client.h"
#include "app/cli/kafka_login.h"
#include "protocol/messages/metadata.h"

namespace brook::app {

class kafka_cluster {
 public:
  using topic_partition = std::pair<std::string, int32_t>;

  kafka_cluster(std::string bootstrap, kafka_client::options options);
  // The cluster behind a command's --bootstrap, --timeout-ms and login options.
  static kafka_cluster with_login(std::string bootstrap, int64_t timeout_ms,
                                  const kafka_login& login);

  outcome<kafka_client*> bootstrap() { return connect_to(_bootstrap); }

  // The client of `address` (HOST:PORT), connected on first use.
  outcome<kafka_client*> connect_to(const std::string& address);

  // Brokers and the partitions (with leaders) of `topics`; none when `topics` is empty.
  // Never creates topics.
  outcome<const protocol::metadata_response*> metadata(const std::vector<std::string>& topics);

  // Every topic the cluster shows this client (Metadata with a null topic list).
  outcome<const protocol::metadata_response*> all_topics();

  // The controller, where topic administration goes (CreateTopics, DeleteTopics,
  // CreatePartitions; a broker other than the controller answers NOT_CONTROLLER).
  outcome<kafka_client*> controller();

  // The brokers named by the last metadata() call, as HOST:PORT.
  std::vector<std::string> broker_addresses() const;

  // The leader of a partition named by the last metadata() call.
  outcome<kafka_client*> leader(const topic_partition& p);

  // The broker coordinating `group` (FindCoordinator through the bootstrap broker).
  outcome<kafka_client*> coordinator(const std::string& group);

  static failure unsupported(const kafka_client& c, std::string_view api);
  static failure request_failed(const kafka_client& c, std::string_view api, std::error_code ec);

 private:
  outcome<const protocol::metadata_response*> ask_metadata(
      const std::optional<std::vector<std::string>>& topics);

  std::string _bootstrap;
  kafka_client::options _options;
  std::map<std::string, std::unique_ptr<kafka_client>> _clients;  // by HOST:PORT
  std::map<int32_t, std::string> _brokers;                        // node id -> HOST:PORT
  std::map<topic_partition, int32_t> _leaders;
  std::map<std::string, std::string> _coordinators;
  protocol::metadata_response _metadata;
};

// HOST:PORT, or [HOST]:PORT for an IPv6 address.
std::string format_address(const std::string& host, int32_t port);

}  // namespace brook::app
