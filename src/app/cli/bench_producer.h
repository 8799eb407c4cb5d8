// bench_producer: a librdkafka producer that times every record from the produce() call
// to its delivery report. A thread of its own serves the delivery reports, so they are
// timed when librdkafka hands them over, whatever the sending thread is doing (sleeping
// in a pacer, blocked on a full queue).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/cli/bench_kafka.h"
#include "app/cli/bench_latency.h"

namespace brook::app {

class bench_producer {
 public:
  // `properties` are librdkafka's (bootstrap.servers, acks, linger.ms, ...).
  static outcome<std::unique_ptr<bench_producer>> open(const property_list& properties);
  ~bench_producer();
  bench_producer(const bench_producer&) = delete;
  bench_producer& operator=(const bench_producer&) = delete;

  rd_kafka_t* handle() { return _rk.get(); }

  // The topic send() writes to. Call it once the topic exists: the topic handle asks for
  // metadata at once, which would auto-create the topic with the broker's defaults.
  outcome<bool> select_topic(const std::string& topic);

  // Sends one record with no key (librdkafka's partitioner spreads them) and `data` as its
  // value. copy: librdkafka copies the value; otherwise `data` must stay valid until the
  // record's delivery report. Waits while librdkafka's queue is full. Returns false, with
  // first_error() set, when librdkafka refuses the record for any other reason.
  bool send(const char* data, size_t size, bool copy);

  // Transactions (a producer opened with transactional.id): init_transactions() once,
  // then begin(), sends, commit(). Each fails with librdkafka's message.
  outcome<bool> init_transactions(std::chrono::milliseconds timeout);
  outcome<bool> begin();
  outcome<bool> commit(std::chrono::milliseconds timeout);

  // Waits until every record sent has its delivery report; false after `timeout`.
  bool wait_all_delivered(std::chrono::milliseconds timeout);

  uint64_t sent() const { return _sent; }
  uint64_t delivered() const { return _delivered; }
  uint64_t failed() const { return _failed; }
  uint64_t delivered_bytes() const { return _delivered_bytes; }
  int64_t first_send_ns() const { return _first_send_ns; }
  int64_t last_delivery_ns() const { return _last_delivery_ns; }
  std::string first_error() const;
  // Send-to-delivery-report latency of the records delivered. Read it only once
  // wait_all_delivered() returned true.
  const latency_histogram& latency() const { return _latency; }

 private:
  bench_producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void note_error(std::string message);
  void poll_loop();

  kafka_handle _rk;
  kafka_topic _topic;
  std::thread _poller;
  std::atomic<bool> _stop{false};

  std::atomic<uint64_t> _sent{0};
  std::atomic<uint64_t> _delivered{0};
  std::atomic<uint64_t> _failed{0};
  std::atomic<uint64_t> _delivered_bytes{0};
  int64_t _first_send_ns = 0;
  std::atomic<int64_t> _last_delivery_ns{0};
  latency_histogram _latency;  // written by the poller thread only

  mutable std::mutex _error_mutex;
  std::string _first_error;
};

}  // namespace brook::app
