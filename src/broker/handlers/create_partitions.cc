// CreatePartitions (key 37): raises topics' partition counts to `count`, or only checks
// that it could (validate_only). Brook is one node: replica assignments for the new
// partitions are refused.
#include <map>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/create_partitions.h"

namespace brook::broker::handlers {

namespace {
using protocol::create_partitions_request;
using protocol::create_partitions_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<create_partitions_request>(*req, respond);
  if (!in) {
    return;
  }
  // A name given more than once is refused, with one answer: clients index them by name.
  std::map<std::string, int> occurrences;
  for (const auto& t : in->topics) {
    ++occurrences[t.name];
  }
  create_partitions_response out;
  for (const auto& t : in->topics) {
    int& seen = occurrences[t.name];
    if (seen == 0) {
      continue;  // a duplicate already answered
    }
    auto& result = out.results.emplace_back();
    result.name = t.name;
    protocol::kafka_result<void> created;
    if (seen > 1) {
      seen = 0;
      created = protocol::kafka_failure{kafka_error::invalid_request, "Duplicate topic name."};
    } else if (!req->authorized(security::acl_operation::alter, security::resource_type::topic,
                                t.name)) {
      created = protocol::kafka_failure{kafka_error::topic_authorization_failed,
                                        denied_message(security::resource_type::topic, t.name)};
    } else {
      created = b.topic_admin().create_partitions(
          t.name, t.count, t.assignments && !t.assignments->empty(), in->validate_only);
    }
    if (!created) {
      result.error_code = protocol::code(created.error().code);
      result.error_message = created.error().message;
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler create_partitions{create_partitions_request::api_key, 0, 3, &handle};
static_assert(3 <= create_partitions_request::max_version);

}  // namespace brook::broker::handlers
