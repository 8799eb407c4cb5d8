// sync_backend: the event backend's calls, each waited for, for tests that read like a
// script. (The backend answers through callbacks on any thread; this blocks until the
// answer came.)
#pragma once

#include <future>
#include <string>
#include <utility>
#include <vector>

#include "backend/event_backend.h"

namespace brook::test {

template <typename T, typename Start>
backend::outcome<T> wait_for(Start start) {
  std::promise<backend::outcome<T>> answer;
  start([&answer](backend::outcome<T> r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

struct sync_backend {
  backend::event_backend& b;

  backend::outcome<backend::cluster_info> cluster() {
    return wait_for<backend::cluster_info>([&](auto done) { b.cluster(done); });
  }
  backend::outcome<std::vector<backend::topic_info>> list_topics() {
    return wait_for<std::vector<backend::topic_info>>([&](auto done) { b.list_topics(done); });
  }
  backend::outcome<backend::topic_info> describe_topic(const std::string& name) {
    return wait_for<backend::topic_info>([&](auto done) { b.describe_topic(name, done); });
  }
  backend::outcome<backend::topic_info> create_topic(const backend::new_topic& t) {
    return wait_for<backend::topic_info>([&](auto done) { b.create_topic(t, done); });
  }
  backend::outcome<void> delete_topic(const std::string& name) {
    return wait_for<void>([&](auto done) { b.delete_topic(name, done); });
  }
  backend::outcome<void> create_partitions(const std::string& topic, int32_t total,
                                           bool validate_only = false) {
    return wait_for<void>(
        [&](auto done) { b.create_partitions(topic, total, validate_only, done); });
  }
  backend::outcome<std::vector<backend::config_entry>> topic_configs(const std::string& name) {
    return wait_for<std::vector<backend::config_entry>>(
        [&](auto done) { b.topic_configs(name, done); });
  }
  backend::outcome<void> alter_topic_configs(const std::string& name,
                                             const std::vector<backend::config_change>& changes,
                                             bool validate_only) {
    return wait_for<void>(
        [&](auto done) { b.alter_topic_configs(name, changes, validate_only, done); });
  }
  backend::outcome<backend::partition_offsets> offsets(const std::string& topic,
                                                       int32_t partition) {
    return wait_for<backend::partition_offsets>(
        [&](auto done) { b.offsets(topic, partition, done); });
  }
  backend::outcome<int64_t> delete_records(const std::string& topic, int32_t partition,
                                           int64_t before) {
    return wait_for<int64_t>([&](auto done) { b.delete_records(topic, partition, before, done); });
  }
  backend::outcome<std::vector<backend::group_summary>> list_groups() {
    return wait_for<std::vector<backend::group_summary>>([&](auto done) { b.list_groups(done); });
  }
  backend::outcome<backend::group_info> describe_group(const std::string& group) {
    return wait_for<backend::group_info>([&](auto done) { b.describe_group(group, done); });
  }
  backend::outcome<std::vector<backend::group_partition_offset>> group_offsets(
      const std::string& group) {
    return wait_for<std::vector<backend::group_partition_offset>>(
        [&](auto done) { b.group_offsets(group, done); });
  }
  backend::outcome<void> reset_group_offsets(const std::string& group,
                                             const std::vector<backend::offset_reset>& positions) {
    return wait_for<void>([&](auto done) { b.reset_group_offsets(group, positions, done); });
  }
  backend::outcome<void> delete_group(const std::string& group) {
    return wait_for<void>([&](auto done) { b.delete_group(group, done); });
  }
};

}  // namespace brook::test
