// local_backend's consumer-group calls: answered from the broker's group coordinator
// (commits and deletions once durable, on the group store's thread).
#include <algorithm>
#include <chrono>

#include "backend/local_backend.h"
#include "base/clock.h"
#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/service/group_lag.h"
#include "protocol/consumer_protocol.h"

namespace brook::backend {

using protocol::kafka_error;

void local_backend::list_groups(callback<std::vector<group_summary>> done) {
  std::vector<group_summary> out;
  for (auto& g : _broker.groups().list_groups()) {
    out.push_back(
        {std::move(g.group_id), std::move(g.protocol_type), broker::group::state_name(g.state)});
  }
  done(std::move(out));
}

void local_backend::describe_group(std::string group, callback<group_info> done) {
  auto d = _broker.groups().describe(group);
  group_info info;
  info.group_id = std::move(d.group_id);
  info.state = broker::group::state_name(d.state);
  info.protocol_type = std::move(d.protocol_type);
  info.protocol = std::move(d.protocol_name);
  for (auto& m : d.members) {
    group_member out;
    out.member_id = std::move(m.member_id);
    out.instance_id = std::move(m.instance_id);
    out.client_id = std::move(m.client_id);
    out.client_host = std::move(m.client_host);
    if (info.protocol_type == "consumer" && !m.assignment.empty()) {
      if (auto a = protocol::parse_consumer_assignment(m.assignment)) {
        for (const auto& [topic, partitions] : a->partitions) {
          for (int32_t p : partitions) {
            out.assignment.emplace_back(topic, p);
          }
        }
      }
    }
    info.members.push_back(std::move(out));
  }
  done(std::move(info));
}

void local_backend::group_offsets(std::string group,
                                  callback<std::vector<group_partition_offset>> done) {
  auto d = _broker.groups().describe(group);
  if (d.state == broker::group::group_state::dead &&
      _broker.groups().fetch_offsets(group, std::nullopt).empty()) {
    done(backend_error{kafka_error::group_id_not_found,
                       "Consumer group '" + group + "' does not exist"});
    return;
  }
  std::vector<group_partition_offset> out;
  for (auto& l : broker::group_lag(_broker, group, epoch_ms(std::chrono::system_clock::now()))) {
    group_partition_offset o;
    o.topic = std::move(l.topic);
    o.partition = l.partition;
    o.committed = l.committed;
    o.metadata = std::move(l.metadata);
    o.end = l.end;
    o.lag = l.records;
    o.lag_seconds = l.seconds.value_or(-1);
    out.push_back(std::move(o));
  }
  done(std::move(out));
}

void local_backend::reset_group_offsets(std::string group, std::vector<offset_reset> positions,
                                        callback<void> done) {
  auto d = _broker.groups().describe(group);
  if (!d.members.empty()) {
    done(backend_error{kafka_error::rebalance_in_progress,
                       "Consumer group '" + group + "' has " + std::to_string(d.members.size()) +
                           " active member(s): stop them before resetting its offsets"});
    return;
  }
  broker::group::offset_commit_request req;
  req.group_id = group;
  req.generation = -1;  // a commit outside group management, as Kafka's tools make it
  for (const auto& p : positions) {
    if (p.offset < 0) {
      done(backend_error{kafka_error::invalid_request,
                         "Offset " + std::to_string(p.offset) + " for " + p.topic + "-" +
                             std::to_string(p.partition) + " is negative"});
      return;
    }
    req.offsets.push_back({p.topic, p.partition, p.offset, -1, std::nullopt});
  }
  _broker.groups().commit_offsets(std::move(req), [positions = std::move(positions),
                                                   done = std::move(done)](
                                                      std::vector<kafka_error> errors) {
    for (size_t i = 0; i < errors.size(); ++i) {
      if (errors[i] != kafka_error::none) {
        const auto& p = positions[i];
        done(backend_error{errors[i], std::string(protocol::kafka_error_name(errors[i])) + " for " +
                                          p.topic + "-" + std::to_string(p.partition)});
        return;
      }
    }
    done({});
  });
}

void local_backend::delete_group(std::string group, callback<void> done) {
  _broker.groups().delete_groups(
      {group}, [group, done = std::move(done)](std::vector<kafka_error> errors) {
        const auto e = errors.empty() ? kafka_error::unknown_server_error : errors.front();
        if (e == kafka_error::none) {
          done({});
        } else if (e == kafka_error::group_id_not_found) {
          done(backend_error{e, "Consumer group '" + group + "' does not exist"});
        } else if (e == kafka_error::non_empty_group) {
          done(backend_error{e, "Consumer group '" + group +
                                    "' has active members: stop them before deleting it"});
        } else {
          done(backend_error{e, std::string(protocol::kafka_error_name(e))});
        }
      });
}

}  // namespace brook::backend
