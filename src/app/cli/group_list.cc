// `brook group list`: ListGroups on every broker (with each group's state from DescribeGroups
// before ListGroups v4): group id, state, protocol type.
#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "app/cli/group_cli.h"
#include "app/cli/group_requests.h"
#include "base/json_writer.h"
#include "protocol/messages/list_groups.h"

namespace brook::app::group_cli {

namespace P = protocol;

int run_group_list(const group_options& o, std::ostream& out, std::ostream& err) {
  auto cl = cluster_of(o);
  auto md = cl.metadata({});
  if (!md) {
    err << "brook group list: " << md.error() << "\n";
    return 1;
  }
  std::vector<std::string> states;
  for (const auto& s : o.states) {
    states.push_back(canonical_group_state(s));
  }
  struct listed {
    std::string group;
    std::string state;
    std::string protocol_type;
  };
  std::map<std::string, listed> groups;
  for (const auto& address : cl.broker_addresses()) {
    auto c = cl.connect_to(address);
    if (!c) {
      err << "brook group list: " << c.error() << "\n";
      return 1;
    }
    kafka_client& client = **c;
    int16_t v = client.version_for<P::list_groups_request>();
    if (v < 0) {
      err << "brook group list: " << kafka_cluster::unsupported(client, "ListGroups").error()
          << "\n";
      return 1;
    }
    P::list_groups_request request;
    request.states_filter = states;  // v4+; older brokers: filtered below
    auto r = client.call<P::list_groups_response>(request, v);
    if (!r) {
      err << "brook group list: "
          << kafka_cluster::request_failed(client, "ListGroups", r.error()).error() << "\n";
      return 1;
    }
    if (r->error_code != 0) {
      err << "brook group list: " << address << ": " << explain(r->error_code) << "\n";
      return 1;
    }
    std::vector<std::string> without_state;
    for (const auto& g : r->groups) {
      groups[g.group_id] = {g.group_id, g.group_state, g.protocol_type};
      if (v < 4) {
        without_state.push_back(g.group_id);
      }
    }
    // Before ListGroups v4 the state comes from DescribeGroups.
    if (!without_state.empty()) {
      P::describe_groups_request describe;
      describe.groups = without_state;
      auto d = client.call<P::describe_groups_response>(describe);
      if (d) {
        for (const auto& g : d->groups) {
          if (auto it = groups.find(g.group_id); it != groups.end() && g.error_code == 0) {
            it->second.state = g.group_state;
          }
        }
      }
    }
  }
  std::vector<listed> shown;
  for (const auto& [id, g] : groups) {
    if (states.empty() || std::find(states.begin(), states.end(), g.state) != states.end()) {
      shown.push_back(g);
    }
  }
  if (o.json) {
    std::string items;
    for (const auto& g : shown) {
      items += fmt::format(R"({}{{"group":{},"state":{},"protocol_type":{}}})",
                           items.empty() ? "" : ",", json_writer::quoted(g.group),
                           json_writer::quoted(g.state), json_writer::quoted(g.protocol_type));
    }
    out << "{\"groups\":[" << items << "]}\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows{{"GROUP", "STATE", "PROTOCOL-TYPE"}};
  for (const auto& g : shown) {
    rows.push_back({g.group, g.state.empty() ? "-" : g.state,
                    g.protocol_type.empty() ? "-" : g.protocol_type});
  }
  print_table(out, rows);
  return 0;
}

}  // namespace brook::app::group_cli
