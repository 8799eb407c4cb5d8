// DeleteRecords (key 21): moves partitions' log start offsets forward, deleting the
// records before them (whole segments go at once; reads below the new start fail). An
// offset of -1 means the high watermark; one above it is OFFSET_OUT_OF_RANGE. Answers the
// partition's new log start offset as its low watermark.
#include "protocol/messages/delete_records.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::delete_records_request;
using protocol::delete_records_response;
using protocol::kafka_error;

constexpr int64_t high_watermark_offset = -1;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<delete_records_request>(*req, respond);
  if (!in) {
    return;
  }
  delete_records_response out;
  for (const auto& t : in->topics) {
    auto& topic_out = out.topics.emplace_back();
    topic_out.name = t.name;
    const bool allowed =
        req->authorized(security::acl_operation::remove, security::resource_type::topic, t.name);
    for (const auto& p : t.partitions) {
      auto& part = topic_out.partitions.emplace_back();
      part.partition_index = p.partition_index;
      part.low_watermark = -1;
      if (!allowed) {
        part.error_code = protocol::code(protocol::kafka_error::topic_authorization_failed);
        continue;
      }
      // The service reads -1 as "up to the high watermark", as Kafka does.
      static_assert(high_watermark_offset == -1);
      auto deleted = b.topic_admin().delete_records(t.name, p.partition_index, p.offset);
      if (!deleted) {
        part.error_code = protocol::code(deleted.error().code);
        continue;
      }
      part.low_watermark = *deleted;
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler delete_records{delete_records_request::api_key, 0, 2, &handle};
static_assert(2 <= delete_records_request::max_version);

}  // namespace brook::broker::handlers
