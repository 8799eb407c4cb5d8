// authorizing_session: a consumer session that acts as the principal who opened it
// (authorizing_backend::open_consumer): each call is put to the authorizer first, with the
// rules of the Kafka requests a KafkaConsumer sends for it (JoinGroup needs READ on the
// group, Fetch READ on each topic, OffsetCommit READ on the group and the topics,
// OffsetFetch DESCRIBE on them), and refused with Kafka's errors.
#pragma once

#include <memory>
#include <string>

#include "backend/authorizing_backend.h"
#include "backend/consumer_session.h"

namespace brook::backend {

class authorizing_session final : public consumer_session {
 public:
  authorizing_session(std::shared_ptr<consumer_session> inner, caller who, std::string group)
      : _inner(std::move(inner)), _caller(std::move(who)), _group(std::move(group)) {}

  void subscribe(std::vector<std::string> topics, std::optional<std::string> pattern,
                 callback<void> done) override;
  void assign(std::vector<topic_partition> partitions, callback<void> done) override;
  void unsubscribe(callback<void> done) override { _inner->unsubscribe(std::move(done)); }
  std::vector<topic_partition> assignment() const override { return _inner->assignment(); }
  void seek(std::vector<seek_target> targets, callback<void> done) override {
    _inner->seek(std::move(targets), std::move(done));
  }
  void poll(poll_request request, callback<poll_result> done) override;
  void commit(std::optional<std::vector<offset_commit>> offsets, callback<void> done) override;
  void committed(std::vector<topic_partition> partitions,
                 callback<std::vector<committed_position>> done) override;
  void close(callback<void> done) override { _inner->close(std::move(done)); }

 private:
  // The refusal for the first partition whose topic the caller may not `op`, or nullopt.
  // (Topic names, topic_partitions or offset_commits.)
  template <typename Entries>
  std::optional<backend_error> topic_refusal(security::acl_operation op,
                                             const Entries& entries) const;

  std::shared_ptr<consumer_session> _inner;
  const caller _caller;
  const std::string _group;
};

}  // namespace brook::backend
