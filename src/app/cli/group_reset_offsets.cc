// `brook group reset-offsets`: commits new offsets (earliest, latest, at a time, or given) for a
// group with no active members; --dry-run only prints them.
#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "app/cli/group_cli.h"
#include "app/cli/group_requests.h"
#include "base/json_writer.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_commit.h"

namespace brook::app::group_cli {

namespace P = protocol;

int run_group_reset_offsets(const group_options& o, std::ostream& out, std::ostream& err) {
  const std::string& group = o.groups.front();
  auto fail = [&](const std::string& message) {
    err << "brook group reset-offsets: " << message << "\n";
    return 1;
  };
  auto cl = cluster_of(o);
  auto at = describe_at_coordinator(cl, group);
  if (!at) {
    return fail(at.error());
  }
  kafka_client& c = *at->coordinator;
  const auto& described = at->group;
  if (described.group_state != "Empty" && described.group_state != "Dead") {
    return fail(fmt::format(
        "group {} is {} with {} active member{}; offsets can only be reset while it has no "
        "members: stop its consumers first",
        group, described.group_state, described.members.size(),
        described.members.size() == 1 ? "" : "s"));
  }

  // The partitions named, checked against the topics' metadata.
  std::vector<topic_partitions> specs;
  std::set<std::string> topic_set;
  for (const auto& t : o.topics) {
    specs.push_back(*parse_topic_spec(t));  // validated before
    topic_set.insert(specs.back().topic);
  }
  auto md = cl.metadata({topic_set.begin(), topic_set.end()});
  if (!md) {
    return fail(md.error());
  }
  std::set<topic_partition> chosen;
  for (const auto& spec : specs) {
    const P::metadata_response::metadata_response_topic* topic = nullptr;
    for (const auto& t : (*md)->topics) {
      if (t.name.value_or("") == spec.topic) {
        topic = &t;
      }
    }
    if (topic == nullptr || topic->error_code != 0) {
      return fail(
          fmt::format("topic {}: {}", spec.topic,
                      explain(topic ? topic->error_code
                                    : P::code(P::kafka_error::unknown_topic_or_partition))));
    }
    std::set<int32_t> existing;
    for (const auto& p : topic->partitions) {
      existing.insert(p.partition_index);
    }
    if (spec.partitions.empty()) {
      for (int32_t p : existing) {
        chosen.insert({spec.topic, p});
      }
    }
    for (int32_t p : spec.partitions) {
      if (!existing.contains(p)) {
        return fail(fmt::format("topic {} has no partition {} (it has {})", spec.topic, p,
                                existing.size()));
      }
      chosen.insert({spec.topic, p});
    }
  }
  std::vector<topic_partition> parts(chosen.begin(), chosen.end());
  auto old = committed_offsets(c, group, &parts);
  if (!old) {
    return fail(old.error());
  }

  // Target offsets. A timestamp past the last record means the log end; an explicit
  // offset is kept within [earliest, latest].
  auto listed = [&](int64_t timestamp) { return list_offsets(cl, parts, timestamp); };
  std::map<topic_partition, int64_t> target;
  std::map<topic_partition, bool> clamped;
  auto check = [&](outcome<std::map<topic_partition, listed_offset>>& r,
                   std::string_view what) -> done {
    if (!r) {
      return failure{r.error()};
    }
    for (const auto& [tp, l] : *r) {
      if (l.error_code != 0) {
        return failure{fmt::format("{} offset of {}-{}: {}", what, tp.first, tp.second,
                                   explain(l.error_code))};
      }
    }
    return {};
  };
  if (o.to_earliest || o.to_latest) {
    auto r = listed(o.to_earliest ? -2 : -1);
    if (auto st = check(r, o.to_earliest ? "earliest" : "latest"); !st) {
      return fail(st.error());
    }
    for (const auto& [tp, l] : *r) {
      target[tp] = l.offset;
    }
  } else if (!o.to_datetime.empty()) {
    int64_t ts = *parse_datetime_ms(o.to_datetime);
    auto at = listed(ts);
    auto latest = listed(-1);
    if (auto st = check(at, "timestamp"); !st) {
      return fail(st.error());
    }
    if (auto st = check(latest, "latest"); !st) {
      return fail(st.error());
    }
    for (const auto& [tp, l] : *at) {
      target[tp] = l.offset >= 0 ? l.offset : (*latest)[tp].offset;
    }
  } else {
    auto earliest = listed(-2);
    auto latest = listed(-1);
    if (auto st = check(earliest, "earliest"); !st) {
      return fail(st.error());
    }
    if (auto st = check(latest, "latest"); !st) {
      return fail(st.error());
    }
    for (const auto& tp : parts) {
      int64_t lo = (*earliest)[tp].offset;
      int64_t hi = (*latest)[tp].offset;
      int64_t want = *o.to_offset;
      target[tp] = std::clamp(want, lo, std::max(lo, hi));
      clamped[tp] = target[tp] != want;
    }
  }

  std::map<topic_partition, int16_t> commit_errors;
  if (!o.dry_run) {
    P::offset_commit_request request;
    request.group_id = group;
    request.generation_id = -1;  // not a member: an admin commit for an empty group
    request.member_id = "";
    request.retention_time_ms = -1;
    for (const auto& tp : parts) {
      if (request.topics.empty() || request.topics.back().name != tp.first) {
        request.topics.emplace_back().name = tp.first;
      }
      auto& p = request.topics.back().partitions.emplace_back();
      p.partition_index = tp.second;
      p.committed_offset = target[tp];
      p.committed_metadata = "";
    }
    auto r = c.call<P::offset_commit_response>(request);
    if (!r) {
      return fail(r.error() == make_error_code(client_errc::unsupported_api)
                      ? kafka_cluster::unsupported(c, "OffsetCommit").error()
                      : kafka_cluster::request_failed(c, "OffsetCommit", r.error()).error());
    }
    for (const auto& t : r->topics) {
      for (const auto& p : t.partitions) {
        if (p.error_code != 0) {
          commit_errors[{t.name, p.partition_index}] = p.error_code;
        }
      }
    }
  }

  if (o.json) {
    std::string items;
    for (const auto& tp : parts) {
      auto before = old->find(tp);
      auto e = commit_errors.find(tp);
      items += fmt::format(
          R"({}{{"topic":{},"partition":{},"old_offset":{},"new_offset":{},"error":{}}})",
          items.empty() ? "" : ",", json_writer::quoted(tp.first), tp.second,
          before != old->end() ? std::to_string(before->second) : "null", target[tp],
          e != commit_errors.end() ? json_writer::quoted(error_name(e->second)) : "null");
    }
    out << fmt::format(R"({{"group":{},"dry_run":{},"partitions":[{}]}})"
                       "\n",
                       json_writer::quoted(group), o.dry_run ? "true" : "false", items);
  } else {
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "OLD-OFFSET", "NEW-OFFSET"}};
    for (const auto& tp : parts) {
      auto before = old->find(tp);
      std::string note;
      if (clamped[tp]) {
        note = fmt::format(" (requested {}, outside the log)", *o.to_offset);
      }
      rows.push_back({tp.first, std::to_string(tp.second),
                      before != old->end() ? std::to_string(before->second) : "-",
                      std::to_string(target[tp]) + note});
    }
    print_table(out, rows);
    if (o.dry_run) {
      out << "dry run: no offsets committed\n";
    } else if (commit_errors.empty()) {
      out << fmt::format("committed {} offset{} for group {}\n", parts.size(),
                         parts.size() == 1 ? "" : "s", group);
    }
  }
  if (!commit_errors.empty()) {
    for (const auto& [tp, code] : commit_errors) {
      err << fmt::format("brook group reset-offsets: {}-{} not committed: {}\n", tp.first,
                         tp.second, explain(code));
    }
    return 1;
  }
  return 0;
}

}  // namespace brook::app::group_cli
