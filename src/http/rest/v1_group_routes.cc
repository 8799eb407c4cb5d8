// GET /v1/groups/{group}/lag: how far a consumer group is behind, measured by the broker
// (broker/service/group_lag.h): per partition its committed offset, the log end, the lag
// in records and in seconds, and the totals. DESCRIBE on the group; the topics the caller
// may not describe are left out (as OffsetFetch leaves them out).
//   {"group":"g","total_lag":12,"max_lag_seconds":3.5,
//    "partitions":[{"topic":"t","partition":0,"committed_offset":5,"log_end_offset":17,
//                   "lag":12,"lag_seconds":3.5}]}
// An unknown group: 404. Unknown values are null.
// GET /v1/groups: the groups the caller may describe, with their state:
//   {"groups":[{"group":"g","state":"Stable","protocol_type":"consumer"}]}
// GET /v1/groups/{group}: its state, assignor and members with their partitions (404 when
// unknown). DELETE /v1/groups/{group}: an empty group and its offsets (409 while it has
// members). DESCRIBE / DELETE on the group.
// POST /v1/groups/{group}/offsets:reset {"topic", "to": "earliest"|"latest"|"offset"|
// "timestamp", "offset", "timestamp", "partitions": [..] (default every one)}: commits new
// positions for a group without members (409 while it has some); answers them. READ on the
// group and DESCRIBE on the topic, as an OffsetCommit.
#include <simdjson.h>

#include <algorithm>

#include "base/clock.h"

#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

using boost::asio::awaitable;
using boost::beast::http::verb;

void add_v1_group_routes(router& r, rest_context& ctx) {
  r.add(verb::get, "/v1/groups", [&ctx](http_request& req) -> awaitable<http_response> {
    request_backend view(ctx, req);
    auto groups = co_await view.calls.list_groups();
    if (!groups) {
      co_return error_response(from_backend(groups.error()));
    }
    std::sort(groups->begin(), groups->end(),
              [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
    json_writer w;
    w.begin_object().key("groups").begin_array();
    for (const auto& g : *groups) {
      w.begin_object().key("group").value(g.group_id).key("state").value(g.state);
      w.key("protocol_type").value(g.protocol_type).end_object();
    }
    w.end_array().end_object();
    co_return http_response::json(200, w.take());
  });
  r.add(verb::get, "/v1/groups/{group}", [&ctx](http_request& req) -> awaitable<http_response> {
    request_backend view(ctx, req);
    const std::string& group = req.param("group");
    auto info = co_await view.calls.describe_group(group);
    if (!info) {
      co_return error_response(from_backend(info.error()));
    }
    if (info->state == "Dead") {
      co_return error_response(error_codes::not_found,
                               "Group '" + group.substr(0, 255) + "' does not exist");
    }
    json_writer w;
    w.begin_object().key("group").value(info->group_id).key("state").value(info->state);
    w.key("protocol_type").value(info->protocol_type).key("protocol").value(info->protocol);
    w.key("members").begin_array();
    for (const auto& m : info->members) {
      w.begin_object().key("member_id").value(m.member_id).key("instance_id");
      if (m.instance_id) {
        w.value(*m.instance_id);
      } else {
        w.null();
      }
      w.key("client_id").value(m.client_id).key("client_host").value(m.client_host);
      w.key("assignment").begin_array();
      for (const auto& [topic, partition] : m.assignment) {
        w.begin_object().key("topic").value(topic).key("partition").value(partition).end_object();
      }
      w.end_array().end_object();
    }
    w.end_array().end_object();
    co_return http_response::json(200, w.take());
  });
  r.add(
      verb::post, "/v1/groups/{group}/offsets:reset",
      [&ctx](http_request& req) -> awaitable<http_response> {
        request_backend view(ctx, req);
        const std::string& group = req.param("group");
        simdjson::dom::parser parser;
        simdjson::dom::object body;
        std::string_view topic;
        std::string_view to;
        if (parser.parse(req.body).get(body) != simdjson::SUCCESS ||
            body["topic"].get(topic) != simdjson::SUCCESS ||
            body["to"].get(to) != simdjson::SUCCESS) {
          co_return error_response(
              error_codes::bad_request,
              R"(The body must be {"topic": "...", "to": "earliest"|"latest"|"offset"|"timestamp"})");
        }
        int64_t offset = 0;
        int64_t timestamp = 0;
        if (to == "offset" && (body["offset"].get(offset) != simdjson::SUCCESS || offset < 0)) {
          co_return error_response(error_codes::bad_request,
                                   "to: offset needs \"offset\", a whole number, 0 or more");
        }
        if (to == "timestamp") {
          std::string_view text;
          if (body["timestamp"].get(timestamp) != simdjson::SUCCESS) {
            auto parsed = body["timestamp"].get(text) == simdjson::SUCCESS ? parse_iso8601(text)
                                                                           : std::nullopt;
            if (!parsed) {
              co_return error_response(error_codes::bad_request,
                                       "to: timestamp needs \"timestamp\", epoch ms or ISO-8601");
            }
            timestamp = *parsed;
          }
        }
        if (to != "earliest" && to != "latest" && to != "offset" && to != "timestamp") {
          co_return error_response(error_codes::bad_request,
                                   "to must be earliest, latest, offset or timestamp");
        }
        auto state = co_await view.calls.describe_group(group);
        if (!state) {
          co_return error_response(from_backend(state.error()));
        }
        if (!state->members.empty()) {
          co_return error_response(rest_error::make(
              409, "Group '" + group.substr(0, 255) + "' has " +
                       std::to_string(state->members.size()) +
                       " active member(s): offsets can be reset only while it has none (stop "
                       "its consumers first)"));
        }
        const std::string topic_name(topic);
        auto described = co_await view.calls.describe_topic(topic_name);
        if (!described) {
          co_return error_response(from_backend(described.error()));
        }
        const auto count = static_cast<int64_t>(described->partitions.size());
        std::vector<int32_t> partitions;
        simdjson::dom::array listed;
        if (body["partitions"].get(listed) == simdjson::SUCCESS) {
          for (auto p : listed) {
            int64_t n = -1;
            if (p.get(n) != simdjson::SUCCESS || n < 0 || n >= count) {
              co_return error_response(error_codes::partition_not_found,
                                       "topic " + topic_name + " has no such partition");
            }
            partitions.push_back(static_cast<int32_t>(n));
          }
        } else {
          for (int64_t i = 0; i < count; ++i) {
            partitions.push_back(static_cast<int32_t>(i));
          }
        }
        std::vector<backend::offset_reset> positions;
        for (int32_t p : partitions) {
          auto offsets = co_await view.calls.offsets(topic_name, p);
          if (!offsets) {
            co_return error_response(from_backend(offsets.error()));
          }
          int64_t at = offsets->end;
          if (to == "earliest") {
            at = offsets->beginning;
          } else if (to == "offset") {
            at = std::clamp(offset, offsets->beginning, offsets->end);
          } else if (to == "timestamp") {
            auto found = co_await view.calls.offset_for_time(topic_name, p, timestamp);
            if (!found) {
              co_return error_response(from_backend(found.error()));
            }
            at = *found;
          }
          positions.push_back({topic_name, p, at});
        }
        auto done = co_await view.calls.reset_group_offsets(group, positions);
        if (!done) {
          co_return error_response(from_backend(done.error()));
        }
        json_writer w;
        w.begin_object().key("group").value(group).key("offsets").begin_array();
        for (const auto& pos : positions) {
          w.begin_object().key("topic").value(pos.topic).key("partition").value(pos.partition);
          w.key("offset").value(pos.offset).end_object();
        }
        w.end_array().end_object();
        co_return http_response::json(200, w.take());
      });
  r.add(verb::delete_, "/v1/groups/{group}", [&ctx](http_request& req) -> awaitable<http_response> {
    request_backend view(ctx, req);
    auto done = co_await view.calls.delete_group(req.param("group"));
    if (!done) {
      co_return error_response(from_backend(done.error()));
    }
    co_return http_response::no_content();
  });
  r.add(verb::get, "/v1/groups/{group}/lag", [&ctx](http_request& req) -> awaitable<http_response> {
    request_backend view(ctx, req);
    const std::string& group = req.param("group");
    auto offsets = co_await view.calls.group_offsets(group);
    if (!offsets) {
      co_return error_response(from_backend(offsets.error()));
    }
    int64_t total = 0;
    double max_seconds = 0;
    json_writer w;
    w.begin_object().key("group").value(group);
    w.key("partitions").begin_array();
    for (const auto& p : *offsets) {
      w.begin_object().key("topic").value(p.topic).key("partition").value(p.partition);
      auto number_or_null = [&w](int64_t v) {
        if (v >= 0) {
          w.value(v);
        } else {
          w.null();
        }
      };
      w.key("committed_offset");
      number_or_null(p.committed);
      w.key("log_end_offset");
      number_or_null(p.end);
      w.key("lag");
      number_or_null(p.lag);
      w.key("lag_seconds");
      if (p.lag_seconds >= 0) {
        w.value(p.lag_seconds);
      } else {
        w.null();
      }
      w.end_object();
      total += std::max<int64_t>(0, p.lag);
      max_seconds = std::max(max_seconds, p.lag_seconds);
    }
    w.end_array();
    w.key("total_lag").value(total).key("max_lag_seconds").value(max_seconds);
    w.end_object();
    co_return http_response::json(200, w.take());
  });
}

}  // namespace brook::http::rest
