// local_backend: the event backend of `brook serve`, over the in-process broker. Admin calls
// go to the broker's services and answer before they return (the callback runs on the
// caller's thread), group calls to the group coordinator (commits and deletions answer
// once durable, on the group store's thread), produce builds uncompressed v2 batches (split at the
// topic's max.message.bytes) and appends them to the partition logs, fetch reads the logs' files
// and decodes the batches.
//
// Consumer sessions are members of the broker's group coordinator
// (local_consumer_session.h).
//
// Threads: every call may come from any thread. Produce answers on the thread that
// completes the last append (the flusher's for `sync` logs). A fetch that has to wait
// is answered on the backend's own wait thread, which runs its timers and is woken by the
// logs when data arrives; the consumer sessions run there too. stop() ends the sessions
// still open, answers the waiting fetches and ends that thread.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backend/event_backend.h"

namespace brook::broker {
class broker;
}

namespace brook::backend {

class local_consumer_session;

class local_backend final : public event_backend {
 public:
  explicit local_backend(broker::broker& b);
  // Stops the wait thread (stop()). Not from inside a fetch callback.
  ~local_backend() override;
  local_backend(const local_backend&) = delete;
  local_backend& operator=(const local_backend&) = delete;

  // Answers every waiting fetch with an error at once and ends the wait thread; later
  // fetches that would wait are answered the same way. Call before the logs close. Not
  // from inside a fetch callback (it joins the thread those run on).
  void stop() override;
  std::optional<std::string> write_problem() const override;

  void cluster(callback<cluster_info> done) override;
  void list_topics(callback<std::vector<topic_info>> done) override;
  void describe_topic(std::string name, callback<topic_info> done) override;
  void create_topic(new_topic t, callback<topic_info> done) override;
  void delete_topic(std::string name, callback<void> done) override;
  void create_partitions(std::string topic, int32_t total, bool validate_only,
                         callback<void> done) override;
  void topic_configs(std::string name, callback<std::vector<config_entry>> done) override;
  void alter_topic_configs(std::string name, std::vector<config_change> changes, bool validate_only,
                           callback<void> done) override;
  void offsets(std::string topic, int32_t partition, callback<partition_offsets> done) override;
  void offset_for_time(std::string topic, int32_t partition, int64_t timestamp_ms,
                       callback<int64_t> done) override;
  void delete_records(std::string topic, int32_t partition, int64_t before,
                      callback<int64_t> done) override;
  void produce(const std::string& topic, std::vector<produce_record> records,
               produce_callback done) override;
  void fetch(fetch_request request, fetch_callback done) override;
  void list_groups(callback<std::vector<group_summary>> done) override;
  void describe_group(std::string group, callback<group_info> done) override;
  void group_offsets(std::string group,
                     callback<std::vector<group_partition_offset>> done) override;
  void reset_group_offsets(std::string group, std::vector<offset_reset> positions,
                           callback<void> done) override;
  void delete_group(std::string group, callback<void> done) override;
  std::shared_ptr<consumer_session> open_consumer(consumer_options options) override;

  // The fetches waiting for data now (tests).
  size_t waiting_fetches() const;

 private:
  class waits;  // the wait thread and its fetches (local_backend.cc)

  broker::broker& _broker;
  std::shared_ptr<waits> _waits;
  std::atomic<uint32_t> _next_partition{0};  // round robin for records without a key
  std::mutex _sessions_mutex;
  std::vector<std::weak_ptr<local_consumer_session>> _sessions;  // for stop()
};

}  // namespace brook::backend
