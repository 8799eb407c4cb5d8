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
    auto topic_ptr = b.topics().find(t.name);
    for (const auto& p : t.partitions) {
      auto& part = topic_out.partitions.emplace_back();
      part.partition_index = p.partition_index;
      part.low_watermark = -1;
      auto log = topic_ptr ? topic_ptr->partition(p.partition_index) : nullptr;
      if (!log) {
        part.error_code = protocol::code(kafka_error::unknown_topic_or_partition);
        continue;
      }
      int64_t offset = p.offset == high_watermark_offset ? log->high_watermark() : p.offset;
      if (offset < 0 || offset > log->high_watermark()) {
        part.error_code = protocol::code(kafka_error::offset_out_of_range);
        continue;
      }
      if (auto st = log->delete_records_before(offset); !st) {
        log::warn("DeleteRecords {}-{} before {}: {}", t.name, p.partition_index, offset,
                  st.error().message());
        part.error_code = protocol::code(to_kafka_error(st.error()));
        continue;
      }
      part.low_watermark = log->log_start_offset();
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler delete_records{delete_records_request::api_key, 0, 2, &handle};
static_assert(2 <= delete_records_request::max_version);

}  // namespace brook::broker::handlers
