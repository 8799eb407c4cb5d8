// `brook group delete`: DeleteGroups, group by group, each from its coordinator; the broker
// refuses a group that has members.
#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "app/cli/group_cli.h"
#include "app/cli/group_requests.h"
#include "base/json_writer.h"
#include "protocol/messages/delete_groups.h"

namespace brook::app::group_cli {

namespace P = protocol;

int run_group_delete(const group_options& o, std::ostream& out, std::ostream& err) {
  auto cl = cluster_of(o);
  struct deleted {
    std::string group;
    int16_t error_code = 0;
    std::string message;  // empty when deleted
  };
  std::vector<deleted> results;
  for (const auto& group : o.groups) {
    auto& d = results.emplace_back();
    d.group = group;
    auto c = cl.coordinator(group);
    if (!c) {
      d.message = c.error();
      continue;
    }
    P::delete_groups_request request;
    request.groups_names = {group};
    auto r = (*c)->call<P::delete_groups_response>(request);
    if (!r) {
      d.message = r.error() == make_error_code(client_errc::unsupported_api)
                      ? kafka_cluster::unsupported(**c, "DeleteGroups").error()
                      : kafka_cluster::request_failed(**c, "DeleteGroups", r.error()).error();
      continue;
    }
    auto it = std::find_if(r->results.begin(), r->results.end(),
                           [&](const auto& x) { return x.group_id == group; });
    if (it == r->results.end()) {
      d.message = "DeleteGroups did not answer for this group";
    } else if (it->error_code != 0) {
      d.error_code = it->error_code;
      d.message = explain(it->error_code);
    }
  }
  bool all_ok = true;
  if (o.json) {
    std::string items;
    for (const auto& d : results) {
      items += fmt::format(
          R"({}{{"group":{},"deleted":{},"error":{},"message":{}}})", items.empty() ? "" : ",",
          json_writer::quoted(d.group), d.message.empty() ? "true" : "false",
          d.error_code != 0 ? json_writer::quoted(error_name(d.error_code)) : "null",
          d.message.empty() ? "null" : json_writer::quoted(d.message));
      all_ok = all_ok && d.message.empty();
    }
    out << "{\"results\":[" << items << "]}\n";
    return all_ok ? 0 : 1;
  }
  for (const auto& d : results) {
    if (d.message.empty()) {
      out << "group " << d.group << ": deleted\n";
    } else {
      err << "brook group delete: group " << d.group << " not deleted: " << d.message << "\n";
      all_ok = false;
    }
  }
  return all_ok ? 0 : 1;
}

}  // namespace brook::app::group_cli
