// Fetch (key 1), v4-12: record batches from each partition's log, sent from the segment
// files with sendfile. When fewer than min_bytes are ready the request waits (long poll)
// until data arrives on one of its partitions or max_wait_ms passes. Incremental fetch
// sessions (KIP-227) are refused the way Kafka allows: every answer carries session id
// 0, so clients keep sending full fetches. Each topic needs READ (TOPIC_AUTHORIZATION_FAILED).
#include <algorithm>
#include <chrono>

#include "broker/broker.h"
#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/service/long_poll.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/fetch.h"
#include "storage/partition_log.h"

namespace brook::broker::handlers {

namespace {
using protocol::fetch_request;
using protocol::fetch_response;
using protocol::kafka_error;

struct fetch_state {
  broker& b;
  std::shared_ptr<request_context> req;
  fetch_request in;
  responder respond;
  std::vector<bool> refused;  // per topic of `in`: the principal may not READ it

  fetch_state(broker& br, std::shared_ptr<request_context> r, fetch_request i, responder rs)
      : b(br), req(std::move(r)), in(std::move(i)), respond(std::move(rs)) {
    for (const auto& t : in.topics) {
      refused.push_back(
          !req->authorized(security::acl_operation::read, security::resource_type::topic, t.topic));
    }
  }
};

struct built {
  fetch_response out;
  size_t bytes = 0;
  bool error = false;
  // The record bytes each partition contributes, counted once the answer goes out.
  std::vector<std::pair<std::shared_ptr<storage::partition_log>, uint64_t>> sent;
};

// Sends `b` and counts its record bytes as each partition's bytes out.
void send(fetch_state& s, const built& b) {
  for (const auto& [log, bytes] : b.sent) {
    log->traffic().bytes_out.add(bytes);
  }
  s.respond.send(s.req->header, b.out);
}

// An answer keeps each segment file it names open until it is sent. At most this many, so
// a consumer of thousands of partitions does not hold thousands of descriptors past the
// open-file cache (storage::open_file_cache); partitions past it get no records this
// time, like those past max_bytes (clients rotate the order of the partitions they fetch).
constexpr size_t max_files_per_answer = 64;

bool out_of_files(const std::error_code& ec) {
  return ec == std::errc::too_many_files_open || ec == std::errc::too_many_files_open_in_system;
}

built build(fetch_state& s) {
  built result;
  auto& out = result.out;
  out.throttle_time_ms = 0;
  out.error_code = 0;
  out.session_id = 0;
  int64_t budget = s.in.max_bytes > 0 ? s.in.max_bytes : 0;
  bool first = true;
  size_t files = 0;
  for (size_t ti = 0; ti < s.in.topics.size(); ++ti) {
    const auto& t = s.in.topics[ti];
    auto& topic_out = out.responses.emplace_back();
    topic_out.topic = t.topic;
    auto topic_ptr = s.refused[ti] ? nullptr : s.b.topics().find(t.topic);
    for (const auto& p : t.partitions) {
      auto& part = topic_out.partitions.emplace_back();
      part.partition_index = p.partition;
      part.high_watermark = -1;
      part.last_stable_offset = -1;
      part.log_start_offset = -1;
      part.preferred_read_replica = -1;
      part.aborted_transactions.reset();
      part.records.is_null = false;
      if (s.refused[ti]) {
        part.error_code = protocol::code(kafka_error::topic_authorization_failed);
        result.error = true;
        continue;
      }
      auto log = topic_ptr ? topic_ptr->partition(p.partition) : nullptr;
      if (!log) {
        part.error_code = protocol::code(kafka_error::unknown_topic_or_partition);
        result.error = true;
        continue;
      }
      const bool committed = s.in.isolation_level == 1;
      const auto level =
          committed ? storage::isolation::read_committed : storage::isolation::read_uncommitted;
      int64_t hw = log->high_watermark();
      part.high_watermark = hw;
      part.last_stable_offset = log->last_stable_offset();
      part.log_start_offset = log->log_start_offset();
      // KIP-74, as Kafka: the answer stays within max_bytes and each partition within its
      // partition_max_bytes, except the first batch of the first partition with data, which
      // goes out whatever its size (so a consumer always progresses). Further partitions
      // whose next batch does not fit get no records this time.
      int64_t limit = std::max<int64_t>(0, std::min<int64_t>(p.partition_max_bytes, budget));
      if (!first && (limit == 0 || files >= max_files_per_answer)) {
        continue;
      }
      std::vector<storage::aborted_txn> aborted;
      auto range = log->read(p.fetch_offset, static_cast<size_t>(limit),
                             first ? storage::partition_log::oversized_first_batch::returned
                                   : storage::partition_log::oversized_first_batch::left_out,
                             level, &aborted);
      if (!range && !first && out_of_files(range.error())) {
        continue;  // no file left for this one: it waits for the next fetch, as past max_bytes
      }
      if (!range) {
        part.error_code = protocol::code(to_kafka_error(range.error()));
        result.error = true;
        continue;
      }
      part.error_code = 0;
      if (committed && range->length > 0) {
        // The aborted transactions the records returned may hold: the consumer drops their
        // records.
        part.aborted_transactions.emplace();
        for (const auto& a : aborted) {
          part.aborted_transactions->push_back({a.producer_id, a.first_offset});
        }
      }
      if (range->length > 0) {
        part.records.files.push_back(
            protocol::file_slice{range->fd, static_cast<int64_t>(range->position),
                                 static_cast<int64_t>(range->length), range->owner});
        result.bytes += range->length;
        result.sent.emplace_back(log, range->length);
        budget -= static_cast<int64_t>(range->length);
        ++files;
        first = false;
      }
    }
  }
  return result;
}

bool enough(const fetch_state& s, const built& b) {
  return b.error || b.bytes >= static_cast<size_t>(std::max(s.in.min_bytes, 0));
}

// What to wait for: the high watermark of any partition passing what this answer holds.
std::vector<long_poll::watch> watches_of(const fetch_state& s, const built& b) {
  std::vector<long_poll::watch> out;
  for (const auto& t : b.out.responses) {
    auto topic_ptr = s.b.topics().find(t.topic);
    for (const auto& p : t.partitions) {
      if (auto log = topic_ptr ? topic_ptr->partition(p.partition_index) : nullptr) {
        out.push_back({std::move(log), p.high_watermark});
      }
    }
  }
  return out;
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<fetch_request>(*req, respond);
  if (!in) {
    return;
  }
  if (in->session_id != 0 || (in->session_epoch != 0 && in->session_epoch != -1)) {
    fetch_response out;
    out.error_code = protocol::code(in->session_id != 0 ? kafka_error::fetch_session_id_not_found
                                                        : kafka_error::invalid_fetch_session_epoch);
    out.session_id = 0;
    respond.send(req->header, out);
    return;
  }
  auto state = std::make_shared<fetch_state>(b, std::move(req), std::move(*in), std::move(respond));
  const auto wait = std::chrono::milliseconds(std::max(state->in.max_wait_ms, 0));
  built first = build(*state);
  if (enough(*state, first) || wait.count() == 0) {
    send(*state, first);
    return;
  }
  // Long poll: answered when enough data arrived or at max_wait_ms.
  auto watches = watches_of(*state, first);
  long_poll::start(state->req->executor, long_poll::clock::now() + wait, std::move(watches),
                   [state](bool final) -> long_poll::attempt_result {
                     built next = build(*state);
                     if (final || enough(*state, next)) {
                       state->b.metrics().record_long_poll(!enough(*state, next));
                       send(*state, next);
                       return {true, {}};
                     }
                     return {false, watches_of(*state, next)};
                   });
}
}  // namespace

const api_handler fetch{fetch_request::api_key, 4, 12, &handle};
static_assert(12 <= fetch_request::max_version);

}  // namespace brook::broker::handlers
