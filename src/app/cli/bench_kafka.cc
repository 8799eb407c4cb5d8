#include "app/cli/bench_kafka.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

namespace brook::app {

outcome<kafka_conf> make_conf(const property_list& properties) {
  kafka_conf conf(rd_kafka_conf_new());
  char err[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), err, sizeof(err)) !=
        RD_KAFKA_CONF_OK) {
      return failure(fmt::format("{}={}: {}", name, value, err));
    }
  }
  return conf;
}

outcome<int32_t> partition_count(rd_kafka_t* rk, const std::string& topic,
                                 std::chrono::milliseconds timeout) {
  kafka_topic rkt(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last = "no answer";
  while (true) {
    const rd_kafka_metadata_t* md = nullptr;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto err = rd_kafka_metadata(rk, 0, rkt.get(), &md,
                                 static_cast<int>(std::max<int64_t>(100, left.count())));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      last = rd_kafka_err2str(err);
    } else {
      int32_t count = -1;
      for (int i = 0; i < md->topic_cnt; ++i) {
        const auto& t = md->topics[i];
        if (topic != t.topic) {
          continue;
        }
        if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          last = rd_kafka_err2str(t.err);
        } else if (t.partition_cnt > 0) {
          count = t.partition_cnt;
        }
      }
      rd_kafka_metadata_destroy(md);
      if (count > 0) {
        return count;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return failure(fmt::format("topic {}: no partitions in the metadata: {}", topic, last));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // metadata propagation
  }
}

outcome<int32_t> ensure_topic(rd_kafka_t* rk, const std::string& topic, int32_t partitions,
                              std::chrono::milliseconds timeout) {
  char err[512];
  rd_kafka_NewTopic_t* new_topic =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof(err));
  if (new_topic == nullptr) {
    return failure(fmt::format("topic {}: {}", topic, err));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), err,
                                            sizeof(err));
  rd_kafka_CreateTopics(rk, &new_topic, 1, options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  std::string refused;  // why CreateTopics failed, if it did
  if (event == nullptr) {
    refused = "CreateTopics: no answer";
  } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    refused = fmt::format("CreateTopics: {}", rd_kafka_event_error_string(event));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &n);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(results[i]);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* text = rd_kafka_topic_result_error_string(results[i]);
        refused = fmt::format("CreateTopics: {}", text != nullptr ? text : rd_kafka_err2str(e));
      }
    }
  }
  if (event != nullptr) {
    rd_kafka_event_destroy(event);
  }
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(new_topic);
  if (!refused.empty()) {
    return failure(fmt::format("topic {}: {}", topic, refused));
  }
  return partition_count(rk, topic, timeout);
}

outcome<std::vector<watermarks>> query_watermarks(rd_kafka_t* rk, const std::string& topic,
                                                  int32_t partitions,
                                                  std::chrono::milliseconds timeout) {
  std::vector<watermarks> out;
  for (int32_t p = 0; p < partitions; ++p) {
    watermarks w{};
    auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &w.low, &w.high,
                                                static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return failure(fmt::format("ListOffsets {}-{}: {}", topic, p, rd_kafka_err2str(err)));
    }
    out.push_back(w);
  }
  return out;
}

}  // namespace brook::app
