// authorizing_backend: an event backend as one principal sees it. Every call is first put
// to the authorizer with the rule Kafka applies to the Kafka request that does the same
// thing (doc/security.md, "What each request needs"): refused with Kafka's error
// (TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED) and message, or filtered (lists
// leave out the topics and groups the principal may not describe). The HTTP layer makes
// one per request over the backend it serves, the in-process broker's or in gateway mode
// an upstream cluster's, so the HTTP APIs obey the same ACLs as the Kafka port whichever
// backend is behind them.
//
// Consumer sessions it opens check their calls the same way, as the principal that opened
// them, for as long as they live.
#pragma once

#include <memory>
#include <string>

#include "backend/event_backend.h"
#include "security/authorizer.h"
#include "security/principal.h"

namespace brook::backend {

// Who a call acts for, and the authorizer that decides.
struct caller {
  const security::authorizer& authorizer;
  security::principal who;
  std::string host;  // the client's address as Kafka reports it ("/127.0.0.1")

  // A refusal is audited.
  bool may(security::acl_operation op, security::resource_type type, std::string_view name) const {
    return authorizer.authorize(who, host, op, security::acl_resource{type, name});
  }
  // The same decision, told to nobody: for what is only left out of a list.
  bool sees(security::acl_operation op, security::resource_type type, std::string_view name) const {
    return authorizer.permits(who, host, op, security::acl_resource{type, name});
  }
  // Kafka's rule for creating a topic: CREATE on the cluster or on the topic itself.
  bool may_create_topic(std::string_view name) const;
};

class authorizing_backend final : public event_backend {
 public:
  // `inner` and the authorizer outlive this object; sessions it opens hold neither by
  // this object (the authorizer must outlive them too).
  authorizing_backend(event_backend& inner, caller who) : _inner(inner), _caller(std::move(who)) {}

  const caller& who() const { return _caller; }

  void stop() override { _inner.stop(); }
  std::optional<std::string> write_problem() const override { return _inner.write_problem(); }

  void cluster(callback<cluster_info> done) override { _inner.cluster(std::move(done)); }
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

 private:
  event_backend& _inner;
  const caller _caller;
};

// The refusal Kafka gives for `type` (TOPIC_AUTHORIZATION_FAILED for a topic, ...), with its
// message.
backend_error access_denied(security::resource_type type, std::string_view name);

}  // namespace brook::backend
