// Settings of the Kafka listener and of topic administration (doc/configuration.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <vector>

#include "broker/group/group_config.h"
#include "broker/listener_config.h"
#include "broker/txn/txn_config.h"

namespace brook::broker {

struct broker_config {
  // The listeners (kafka.listeners); empty: one PLAINTEXT listener on host:port.
  std::vector<listener_config> listeners;
  std::string host = "127.0.0.1";        // listen address
  uint16_t port = 9092;                  // 0: any free port (tests)
  std::string advertised_host;           // what Metadata tells clients; empty: host
  uint16_t advertised_port = 0;          // 0: the bound port
  size_t max_request_bytes = 104857600;  // socket.request.max.bytes
  size_t max_in_flight = 64;             // pipelined requests read ahead per connection
  size_t max_connections = 10000;        // open Kafka connections at most (max.connections)
  size_t max_connections_per_ip = 0;     // from one client address (0: no limit)
  // Bytes of request frames being read or waiting to be handled, all connections together
  // (queued.max.request.bytes); past it, connections stop reading until some are freed.
  size_t queued_max_request_bytes = size_t{512} << 20;
  // A connection with no request in flight and nothing read for this long is closed
  // (connections.max.idle.ms).
  std::chrono::milliseconds connections_max_idle{600000};
  // Once its size has been read, a request frame must arrive whole within this.
  std::chrono::milliseconds request_read_timeout{30000};
  // A request answered after this long is logged (its id, API, client, listener and time);
  // 0: none. Fetch, JoinGroup and SyncGroup wait by design and are left out.
  std::chrono::milliseconds slow_request{1000};
  // An authenticated session lasts this long before the client must authenticate again
  // (connections.max.reauth.ms, KIP-368); 0: for the connection's life.
  std::chrono::milliseconds connections_max_reauth{0};
  int threads = 0;  // network threads; 0: one per core
  int32_t node_id = 0;
  bool auto_create_topics = true;  // auto.create.topics.enable
  int32_t default_partitions = 1;  // num.partitions
  // Partitions one topic may have, and all topics together (no Kafka equivalent: Kafka
  // leaves it to a CreateTopicPolicy). Checked before anything is created.
  int32_t max_partitions_per_topic = 10000;
  int64_t max_partitions = 100000;
  group::group_config groups;    // the group coordinator (`groups.*`)
  txn::txn_config transactions;  // the transaction coordinator (`transactions.*`)
};

}  // namespace brook::broker
