// bench_consumer: a librdkafka consumer given its partitions with assign() and explicit
// start offsets. It never joins a group (the broker serves no group APIs yet), commits
// nothing, and reads in batches from the consumer queue.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "app/cli/bench_kafka.h"

namespace brook::app {

class bench_consumer {
 public:
  // `properties` are librdkafka's (bootstrap.servers, fetch settings, ...).
  static outcome<std::unique_ptr<bench_consumer>> open(const property_list& properties);
  ~bench_consumer();
  bench_consumer(const bench_consumer&) = delete;
  bench_consumer& operator=(const bench_consumer&) = delete;

  rd_kafka_t* handle() { return _rk.get(); }

  // Reads partition p of `topic` from start_offsets[p], for every p.
  outcome<bool> assign(const std::string& topic, const std::vector<int64_t>& start_offsets);

  // Waits up to `timeout` for records and hands each to `on_record`; returns how many.
  // Error events are counted (errors(), first_error()), not handed over.
  size_t poll(std::chrono::milliseconds timeout,
              const std::function<void(const rd_kafka_message_t&)>& on_record);

  // How many partitions are read to their end (librdkafka's partition EOF: past control
  // batches too, which take offsets but hold no records) with nothing after it yet.
  size_t partitions_at_end() const { return _at_end.size(); }

  uint64_t errors() const { return _errors; }
  const std::string& first_error() const { return _first_error; }

 private:
  bench_consumer() = default;

  kafka_handle _rk;
  rd_kafka_queue_t* _queue = nullptr;
  std::vector<rd_kafka_message_t*> _batch;
  uint64_t _errors = 0;
  std::string _first_error;
  std::set<int32_t> _at_end;
};

}  // namespace brook::app
