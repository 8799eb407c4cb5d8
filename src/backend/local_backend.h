// local_backend: the event backend of `brook serve`, over the in-process broker. Admin calls
// go to the topic table, produce builds uncompressed v2 batches (split at the topic's
// max.message.bytes) and appends them to the partition logs, fetch reads the logs' files
// and decodes the batches.
//
// Threads: every call may come from any thread. Produce answers on the thread that
// completes the last append (the flusher's for `sync` logs). A fetch that has to wait
// is answered on the backend's own wait thread, which runs its timers and is woken by the
// logs when data arrives; stop() answers the waiting fetches and ends that thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backend/event_backend.h"

namespace brook::broker {
class broker;
}

namespace brook::backend {

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

  outcome<cluster_info> cluster() override;
  outcome<std::vector<topic_info>> list_topics() override;
  outcome<topic_info> describe_topic(std::string_view name) override;
  outcome<topic_info> create_topic(const new_topic& t) override;
  outcome<void> delete_topic(const std::string& name) override;
  outcome<std::vector<config_entry>> topic_configs(const std::string& name) override;
  outcome<void> alter_topic_configs(const std::string& name,
                                    const std::vector<config_change>& changes,
                                    bool validate_only) override;
  outcome<partition_offsets> offsets(const std::string& topic, int32_t partition) override;
  void produce(const std::string& topic, std::vector<produce_record> records,
               produce_callback done) override;
  void fetch(fetch_request request, fetch_callback done) override;
  std::string bootstrap_servers() const override;

  // The fetches waiting for data now (tests).
  size_t waiting_fetches() const;

 private:
  class waits;  // the wait thread and its fetches (local_backend.cc)

  broker::broker& _broker;
  std::shared_ptr<waits> _waits;
  std::atomic<uint32_t> _next_partition{0};  // round robin for records without a key
};

}  // namespace brook::backend
