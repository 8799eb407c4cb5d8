// ListOffsets (key 2): the earliest (-2), latest (-1) or max-timestamp (-3, v7) offset of
// each partition, or the first offset whose record timestamp is at or after a time.
#include "protocol/messages/list_offsets.h"
#include "broker/broker.h"
#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/service/time_lookup.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::kafka_error;
using protocol::list_offsets_request;
using protocol::list_offsets_response;

constexpr int64_t latest_timestamp = -1;
constexpr int64_t earliest_timestamp = -2;
constexpr int64_t max_timestamp = -3;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<list_offsets_request>(*req, respond);
  if (!in) {
    return;
  }
  const int16_t version = req->header.api_version;
  // read_committed (v2+): the latest offset is the last stable offset, and an offset found
  // by time must be below it.
  const auto level = in->isolation_level == 1 ? storage::isolation::read_committed
                                              : storage::isolation::read_uncommitted;
  list_offsets_response out;
  for (const auto& t : in->topics) {
    auto& topic_out = out.topics.emplace_back();
    topic_out.name = t.name;
    // DESCRIBE on the topic; a refused one is not looked up, so its existence stays hidden.
    const bool allowed =
        req->authorized(security::acl_operation::describe, security::resource_type::topic, t.name);
    auto topic_ptr = allowed ? b.topics().find(t.name) : nullptr;
    for (const auto& p : t.partitions) {
      auto& part = topic_out.partitions.emplace_back();
      part.partition_index = p.partition_index;
      part.timestamp = -1;
      part.offset = -1;
      if (!allowed) {
        part.error_code = protocol::code(kafka_error::topic_authorization_failed);
        continue;
      }
      auto log = topic_ptr ? topic_ptr->partition(p.partition_index) : nullptr;
      if (!log) {
        part.error_code = protocol::code(kafka_error::unknown_topic_or_partition);
        continue;
      }
      part.leader_epoch = 0;
      if (p.timestamp == latest_timestamp) {
        part.offset = log->visible_end(level);
      } else if (p.timestamp == earliest_timestamp) {
        part.offset = log->log_start_offset();
      } else if (p.timestamp == max_timestamp && version >= 7) {
        if (auto m = log->max_timestamp(); m && m->second < log->high_watermark()) {
          part.timestamp = m->first;
          part.offset = m->second;
        }
      } else if (p.timestamp >= 0) {
        auto [offset, ts] = record_offset_for_time(*log, p.timestamp);
        if (offset < 0 || offset < log->visible_end(level)) {
          part.offset = offset;
          part.timestamp = ts;
        }
      } else {
        part.error_code = protocol::code(kafka_error::invalid_request);
        continue;
      }
      if (version == 0) {
        // v0 answers with a list of segment offsets; the one asked for is enough.
        if (part.offset >= 0 && p.max_num_offsets > 0) {
          part.old_style_offsets = {part.offset};
        }
      }
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler list_offsets{list_offsets_request::api_key, 0, 7, &handle};
static_assert(7 <= list_offsets_request::max_version);

}  // namespace brook::broker::handlers
