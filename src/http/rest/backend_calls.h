// backend_calls: the event backend's calls as awaitables for the routes' coroutines.
//   auto t = co_await ctx.calls.describe_topic(name);
// The backend answers on any thread; the route resumes on its own. Arguments are taken by
// reference (the caller awaits at once) so that no class-type temporary sits inside a
// co_await expression (GCC 12, see await.h).
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "backend/event_backend.h"
#include "http/await.h"

namespace brook::http::rest {

class backend_calls {
 public:
  template <typename T>
  using answer = boost::asio::awaitable<backend::outcome<T>>;

  explicit backend_calls(backend::event_backend& b) : _b(b) {}

  answer<backend::cluster_info> cluster() {
    return call<backend::cluster_info>([this](auto done) { _b.cluster(std::move(done)); });
  }
  answer<std::vector<backend::topic_info>> list_topics() {
    return call<std::vector<backend::topic_info>>(
        [this](auto done) { _b.list_topics(std::move(done)); });
  }
  answer<backend::topic_info> describe_topic(const std::string& name) {
    return call<backend::topic_info>(
        [this, name](auto done) { _b.describe_topic(name, std::move(done)); });
  }
  answer<backend::topic_info> create_topic(const backend::new_topic& t) {
    return call<backend::topic_info>([this, t](auto done) { _b.create_topic(t, std::move(done)); });
  }
  answer<void> delete_topic(const std::string& name) {
    return call<void>([this, name](auto done) { _b.delete_topic(name, std::move(done)); });
  }
  answer<std::vector<backend::config_entry>> topic_configs(const std::string& name) {
    return call<std::vector<backend::config_entry>>(
        [this, name](auto done) { _b.topic_configs(name, std::move(done)); });
  }
  answer<void> alter_topic_configs(const std::string& name,
                                   const std::vector<backend::config_change>& changes,
                                   bool validate_only) {
    return call<void>([this, name, changes, validate_only](auto done) {
      _b.alter_topic_configs(name, changes, validate_only, std::move(done));
    });
  }
  answer<backend::partition_offsets> offsets(const std::string& topic, int32_t partition) {
    return call<backend::partition_offsets>(
        [this, topic, partition](auto done) { _b.offsets(topic, partition, std::move(done)); });
  }
  answer<int64_t> offset_for_time(const std::string& topic, int32_t partition,
                                  int64_t timestamp_ms) {
    return call<int64_t>([this, topic, partition, timestamp_ms](auto done) {
      _b.offset_for_time(topic, partition, timestamp_ms, std::move(done));
    });
  }
  answer<std::vector<backend::fetched_record>> fetch(const backend::fetch_request& request) {
    return call<std::vector<backend::fetched_record>>(
        [this, request](auto done) { _b.fetch(request, std::move(done)); });
  }
  answer<std::vector<backend::group_partition_offset>> group_offsets(const std::string& group) {
    return call<std::vector<backend::group_partition_offset>>(
        [this, group](auto done) { _b.group_offsets(group, std::move(done)); });
  }
  answer<std::vector<backend::group_summary>> list_groups() {
    return call<std::vector<backend::group_summary>>(
        [this](auto done) { _b.list_groups(std::move(done)); });
  }
  answer<backend::group_info> describe_group(const std::string& group) {
    return call<backend::group_info>(
        [this, group](auto done) { _b.describe_group(group, std::move(done)); });
  }
  answer<void> reset_group_offsets(const std::string& group,
                                   const std::vector<backend::offset_reset>& positions) {
    return call<void>([this, group, positions](auto done) {
      _b.reset_group_offsets(group, positions, std::move(done));
    });
  }
  answer<void> delete_group(const std::string& group) {
    return call<void>([this, group](auto done) { _b.delete_group(group, std::move(done)); });
  }

 private:
  // The lambda is a parameter (named), not a temporary inside the co_await expression.
  template <typename T, typename Start>
  static answer<T> call(Start start) {
    auto begin = [start = std::move(start)](std::function<void(backend::outcome<T>)> done) mutable {
      start(typename backend::event_backend::template callback<T>(std::move(done)));
    };
    co_return co_await await_callback<backend::outcome<T>>(std::move(begin));
  }

  backend::event_backend& _b;
};

}  // namespace brook::http::rest
