#include "app/cli/bench_producer.h"

#include <fmt/format.h>

namespace brook::app {

outcome<std::unique_ptr<bench_producer>> bench_producer::open(const property_list& properties) {
  using result_type = outcome<std::unique_ptr<bench_producer>>;
  auto conf = make_conf(properties);
  if (!conf) {
    return failure(conf.error());
  }
  std::unique_ptr<bench_producer> p(new bench_producer());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &bench_producer::on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), p.get());
  char err[512];
  p->_rk.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof(err)));
  if (!p->_rk) {
    return failure(fmt::format("producer: {}", err));
  }
  static_cast<void>(conf->release());  // rd_kafka_new took it
  p->_poller = std::thread([raw = p.get()] { raw->poll_loop(); });
  return result_type(std::move(p));
}

outcome<bool> bench_producer::select_topic(const std::string& topic) {
  _topic.reset(rd_kafka_topic_new(_rk.get(), topic.c_str(), nullptr));
  if (!_topic) {
    return failure(fmt::format("topic {}: {}", topic, rd_kafka_err2str(rd_kafka_last_error())));
  }
  return true;
}

bench_producer::~bench_producer() {
  _stop = true;
  if (_poller.joinable()) {
    _poller.join();
  }
  // Records still queued are dropped: wait_all_delivered() is the way to keep them.
  _topic.reset();
  if (_rk) {
    rd_kafka_purge(_rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(_rk.get(), 0);
  }
}

namespace {
outcome<bool> transaction_outcome(rd_kafka_error_t* error, const char* what) {
  if (error == nullptr) {
    return true;
  }
  std::string message = fmt::format("{}: {}", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  return failure(message);
}
}  // namespace

outcome<bool> bench_producer::init_transactions(std::chrono::milliseconds timeout) {
  return transaction_outcome(
      rd_kafka_init_transactions(_rk.get(), static_cast<int>(timeout.count())),
      "init_transactions");
}

outcome<bool> bench_producer::begin() {
  return transaction_outcome(rd_kafka_begin_transaction(_rk.get()), "begin_transaction");
}

outcome<bool> bench_producer::commit(std::chrono::milliseconds timeout) {
  return transaction_outcome(
      rd_kafka_commit_transaction(_rk.get(), static_cast<int>(timeout.count())),
      "commit_transaction");
}

void bench_producer::poll_loop() {
  while (!_stop) {
    rd_kafka_poll(_rk.get(), 100);
  }
}

void bench_producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<bench_producer*>(opaque);
  int64_t now = monotonic_ns();
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->note_error(fmt::format("delivery to {} [{}]: {}", rd_kafka_topic_name(message->rkt),
                                 message->partition, rd_kafka_err2str(message->err)));
    ++self->_failed;
    return;
  }
  self->_latency.record(now - reinterpret_cast<intptr_t>(message->_private));
  self->_delivered_bytes += message->len;
  self->_last_delivery_ns = now;
  ++self->_delivered;
}

void bench_producer::note_error(std::string message) {
  std::lock_guard lock(_error_mutex);
  if (_first_error.empty()) {
    _first_error = std::move(message);
  }
}

std::string bench_producer::first_error() const {
  std::lock_guard lock(_error_mutex);
  return _first_error;
}

bool bench_producer::send(const char* data, size_t size, bool copy) {
  int flags = copy ? RD_KAFKA_MSG_F_COPY : 0;
  while (true) {
    int64_t now = monotonic_ns();
    // The send time rides in the record's opaque, handed back with its delivery report.
    if (rd_kafka_produce(_topic.get(), RD_KAFKA_PARTITION_UA, flags, const_cast<char*>(data), size,
                         nullptr, 0, reinterpret_cast<void*>(static_cast<intptr_t>(now))) == 0) {
      if (_first_send_ns == 0) {
        _first_send_ns = now;
      }
      ++_sent;
      return true;
    }
    auto err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      note_error(fmt::format("produce: {}", rd_kafka_err2str(err)));
      return false;
    }
    // The poller thread drains delivery reports; give it a moment.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

bool bench_producer::wait_all_delivered(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (_delivered + _failed < _sent) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace brook::app
