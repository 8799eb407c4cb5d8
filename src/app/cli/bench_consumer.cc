#include "app/cli/bench_consumer.h"

#include <fmt/format.h>

#include <algorithm>

namespace brook::app {

outcome<std::unique_ptr<bench_consumer>> bench_consumer::open(const property_list& properties) {
  using result_type = outcome<std::unique_ptr<bench_consumer>>;
  // assign() needs a group.id in librdkafka, although nothing here talks to a group
  // coordinator: offsets are explicit and never committed.
  property_list all = {{"group.id", "brook-bench"},
                       {"enable.auto.commit", "false"},
                       {"enable.auto.offset.store", "false"},
                       {"enable.partition.eof", "true"}};
  all.insert(all.end(), properties.begin(), properties.end());
  auto conf = make_conf(all);
  if (!conf) {
    return failure(conf.error());
  }
  std::unique_ptr<bench_consumer> c(new bench_consumer());
  char err[512];
  c->_rk.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof(err)));
  if (!c->_rk) {
    return failure(fmt::format("consumer: {}", err));
  }
  static_cast<void>(conf->release());  // rd_kafka_new took it
  rd_kafka_poll_set_consumer(c->_rk.get());
  c->_queue = rd_kafka_queue_get_consumer(c->_rk.get());
  c->_batch.resize(4096);
  return result_type(std::move(c));
}

bench_consumer::~bench_consumer() {
  if (_queue != nullptr) {
    rd_kafka_queue_destroy(_queue);
  }
  if (_rk) {
    rd_kafka_assign(_rk.get(), nullptr);
    rd_kafka_consumer_close(_rk.get());
  }
}

outcome<bool> bench_consumer::assign(const std::string& topic,
                                     const std::vector<int64_t>& start_offsets) {
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(start_offsets.size()));
  for (size_t p = 0; p < start_offsets.size(); ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), static_cast<int32_t>(p))->offset =
        start_offsets[p];
  }
  auto err = rd_kafka_assign(_rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return failure(fmt::format("assign: {}", rd_kafka_err2str(err)));
  }
  return true;
}

size_t bench_consumer::poll(std::chrono::milliseconds timeout,
                            const std::function<void(const rd_kafka_message_t&)>& on_record) {
  // consume_batch_queue waits for a full batch or the timeout: wait for the first record
  // alone, then take what else is there without waiting.
  rd_kafka_message_t* first = rd_kafka_consume_queue(_queue, static_cast<int>(timeout.count()));
  if (first == nullptr) {
    return 0;
  }
  _batch[0] = first;
  ssize_t n = rd_kafka_consume_batch_queue(_queue, 0, _batch.data() + 1, _batch.size() - 1);
  n = 1 + std::max<ssize_t>(n, 0);
  size_t records = 0;
  for (ssize_t i = 0; i < n; ++i) {
    rd_kafka_message_t* m = _batch[i];
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      _at_end.erase(m->partition);
      on_record(*m);
      ++records;
    } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      _at_end.insert(m->partition);
    } else {
      if (_errors++ == 0) {
        _first_error = rd_kafka_message_errstr(m);
      }
    }
    rd_kafka_message_destroy(m);
  }
  return records;
}

}  // namespace brook::app
