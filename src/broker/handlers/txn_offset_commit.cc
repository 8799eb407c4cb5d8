// TxnOffsetCommit (key 28): offsets a transactional producer commits for a group inside
// its transaction; they become the group's committed offsets when the transaction
// commits, and are dropped if it aborts. From v3 the consumer's member id and generation
// come along and are checked against the group (KIP-447: a zombie member is refused).
// Needs WRITE on the transactional id, READ on the group and on each topic.
#include "protocol/messages/txn_offset_commit.h"

#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/txn/txn_coordinator.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::txn_offset_commit_request;
using protocol::txn_offset_commit_response;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<txn_offset_commit_request>(*req, respond);
  if (!in) {
    return;
  }
  auto* txns = b.transactions();
  kafka_error everyone = kafka_error::none;
  if (!req->authorized(security::acl_operation::write, security::resource_type::transactional_id,
                       in->transactional_id)) {
    everyone = kafka_error::transactional_id_authorization_failed;
  } else if (!req->authorized(security::acl_operation::read, security::resource_type::group,
                              in->group_id)) {
    everyone = kafka_error::group_authorization_failed;
  } else if (txns == nullptr) {
    everyone = kafka_error::coordinator_not_available;
  } else {
    everyone = b.groups().check_transactional_member(in->group_id, in->generation_id, in->member_id,
                                                     in->group_instance_id);
  }
  // Each partition's own refusal, or none: those with none go to the coordinator together.
  auto errors = std::make_shared<std::vector<kafka_error>>();
  std::vector<txn::txn_offset> offsets;
  for (auto& t : in->topics) {
    const bool allowed =
        everyone == kafka_error::none &&
        req->authorized(security::acl_operation::read, security::resource_type::topic, t.name);
    auto found = allowed ? b.topics().find(t.name) : nullptr;
    for (auto& p : t.partitions) {
      if (everyone != kafka_error::none) {
        errors->push_back(everyone);
      } else if (!allowed) {
        errors->push_back(kafka_error::topic_authorization_failed);
      } else if (!found || !found->partition(p.partition_index)) {
        errors->push_back(kafka_error::unknown_topic_or_partition);
      } else if (p.committed_metadata &&
                 p.committed_metadata->size() >
                     static_cast<size_t>(b.groups().config().offset_metadata_max_bytes)) {
        // Refused now: at the commit it could only be dropped.
        errors->push_back(kafka_error::offset_metadata_too_large);
      } else {
        errors->push_back(kafka_error::none);
        offsets.push_back({in->group_id, t.name, p.partition_index, p.committed_offset,
                           p.committed_leader_epoch, p.committed_metadata});
      }
    }
  }
  auto answer = std::make_shared<responder>(std::move(respond));
  auto request_body = std::make_shared<txn_offset_commit_request>(std::move(*in));
  const int16_t version = req->header.api_version;
  auto reply = [req, answer, request_body, errors, version](kafka_error committed) {
    txn_offset_commit_response out;
    size_t i = 0;
    for (const auto& t : request_body->topics) {
      auto& ot = out.topics.emplace_back();
      ot.name = t.name;
      for (const auto& p : t.partitions) {
        auto& op = ot.partitions.emplace_back();
        op.partition_index = p.partition_index;
        auto e = (*errors)[i++];
        op.error_code =
            protocol::code(fenced_as(e == kafka_error::none ? committed : e, version, 3));
      }
    }
    answer->send(req->header, out);
  };
  if (offsets.empty()) {
    reply(kafka_error::none);
    return;
  }
  txns->commit_offsets(request_body->transactional_id, request_body->producer_id,
                       request_body->producer_epoch, std::move(offsets), std::move(reply));
}
}  // namespace

const api_handler txn_offset_commit{txn_offset_commit_request::api_key, 0, 4, &handle};
static_assert(4 <= txn_offset_commit_request::max_version);

}  // namespace brook::broker::handlers
