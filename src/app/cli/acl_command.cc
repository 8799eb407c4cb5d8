#include "app/cli/acl_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <optional>
#include <ostream>

#include "app/cli/kafka_cluster.h"
#include "app/cli/kafka_error_text.h"
#include "base/json_writer.h"
#include "protocol/messages/create_acls.h"
#include "protocol/messages/delete_acls.h"
#include "protocol/messages/describe_acls.h"
#include "security/acl_binding.h"

namespace brook::app {

namespace P = protocol;

namespace {

using security::acl_operation;
using security::acl_permission;
using security::pattern_type;
using security::resource_type;

constexpr acl_operation every_operation[] = {acl_operation::all,
                                             acl_operation::read,
                                             acl_operation::write,
                                             acl_operation::create,
                                             acl_operation::remove,
                                             acl_operation::alter,
                                             acl_operation::describe,
                                             acl_operation::cluster_action,
                                             acl_operation::describe_configs,
                                             acl_operation::alter_configs,
                                             acl_operation::idempotent_write};

// "describe-configs", "DESCRIBE_CONFIGS", "DescribeConfigs" all name one operation.
std::optional<acl_operation> operation_named(std::string_view text) {
  auto fold = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c != '-' && c != '_') {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    return out;
  };
  for (acl_operation op : every_operation) {
    if (fold(security::acl_operation_name(op)) == fold(text)) {
      return op;
    }
  }
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void add_resource_options(CLI::App* sub, acl_options& o) {
  sub->add_option("--topic", o.topic, "A topic (\"*\": every topic)")->type_name("NAME");
  sub->add_option("--group", o.group, "A consumer group (\"*\": every group)")->type_name("NAME");
  sub->add_option("--transactional-id", o.transactional_id, "A transactional id")
      ->type_name("NAME");
  sub->add_flag("--cluster", o.cluster, "The cluster");
}

// The one resource named, if any.
std::optional<std::pair<resource_type, std::string>> resource_of(const acl_options& o) {
  if (!o.topic.empty()) {
    return std::pair{resource_type::topic, o.topic};
  }
  if (!o.group.empty()) {
    return std::pair{resource_type::group, o.group};
  }
  if (!o.transactional_id.empty()) {
    return std::pair{resource_type::transactional_id, o.transactional_id};
  }
  if (o.cluster) {
    return std::pair{resource_type::cluster, std::string(security::cluster_resource_name)};
  }
  return std::nullopt;
}

std::string error_text(int16_t code, const std::optional<std::string>& message) {
  std::string out = explain(code);
  if (message && !message->empty()) {
    out += ": " + *message;
  }
  return out;
}

struct binding_row {
  int8_t type;
  std::string name;
  int8_t pattern;
  std::string principal;
  std::string host;
  int8_t operation;
  int8_t permission;
};

void print_rows(const std::vector<binding_row>& rows, bool json, std::ostream& out) {
  auto type_name = [](int8_t t) {
    return lower(security::resource_type_name(static_cast<resource_type>(t)));
  };
  auto op_name = [](int8_t op) {
    return lower(security::acl_operation_name(static_cast<acl_operation>(op)));
  };
  auto pattern_name = [](int8_t p) {
    return lower(security::pattern_type_name(static_cast<pattern_type>(p)));
  };
  auto permission_name = [](int8_t p) {
    return lower(security::acl_permission_name(static_cast<acl_permission>(p)));
  };
  if (json) {
    json_writer w;
    w.begin_object();
    w.key("acls").begin_array();
    for (const auto& r : rows) {
      w.begin_object();
      w.key("resource_type").value(type_name(r.type));
      w.key("resource_name").value(r.name);
      w.key("pattern_type").value(pattern_name(r.pattern));
      w.key("principal").value(r.principal);
      w.key("host").value(r.host);
      w.key("operation").value(op_name(r.operation));
      w.key("permission").value(permission_name(r.permission));
      w.end_object();
    }
    w.end_array();
    w.end_object();
    out << w.str() << "\n";
    return;
  }
  std::vector<std::vector<std::string>> table = {
      {"PERMISSION", "PRINCIPAL", "OPERATION", "RESOURCE", "PATTERN", "HOST"}};
  for (const auto& r : rows) {
    table.push_back({permission_name(r.permission), r.principal, op_name(r.operation),
                     type_name(r.type) + ":" + r.name, pattern_name(r.pattern), r.host});
  }
  std::vector<size_t> width(table.front().size(), 0);
  for (const auto& row : table) {
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  for (const auto& row : table) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(width[i] - row[i].size() + 2, ' ');
      }
    }
    out << line << "\n";
  }
}

int add_acls(const acl_options& o, kafka_client& c, std::ostream& out, std::ostream& err) {
  auto resource = resource_of(o);
  P::create_acls_request request;
  auto add = [&](const std::string& principal, acl_permission permission) {
    for (const auto& name : o.operations) {
      auto& b = request.creations.emplace_back();
      b.resource_type = static_cast<int8_t>(resource->first);
      b.resource_name = resource->second;
      b.resource_pattern_type =
          static_cast<int8_t>(o.prefixed ? pattern_type::prefixed : pattern_type::literal);
      b.principal = principal;
      b.host = o.host.empty() ? "*" : o.host;
      b.operation = static_cast<int8_t>(*operation_named(name));
      b.permission_type = static_cast<int8_t>(permission);
    }
  };
  for (const auto& p : o.allow) {
    add(p, acl_permission::allow);
  }
  for (const auto& p : o.deny) {
    add(p, acl_permission::deny);
  }
  auto r = c.call<P::create_acls_response>(request);
  if (!r) {
    err << "brook acl add: " << kafka_cluster::request_failed(c, "CreateAcls", r.error()).error()
        << "\n";
    return 1;
  }
  int failed = 0;
  for (size_t i = 0; i < r->results.size() && i < request.creations.size(); ++i) {
    const auto& res = r->results[i];
    const auto& b = request.creations[i];
    const std::string what =
        lower(security::acl_permission_name(static_cast<acl_permission>(b.permission_type))) + " " +
        b.principal + " " +
        lower(security::acl_operation_name(static_cast<acl_operation>(b.operation))) + " on " +
        b.resource_name;
    if (res.error_code != 0) {
      err << "brook acl add: " << what << ": " << error_text(res.error_code, res.error_message)
          << "\n";
      ++failed;
    } else {
      out << "Added: " << what << "\n";
    }
  }
  return failed == 0 ? 0 : 1;
}

// The filter that list and delete send: what was given, "any" for the rest.
template <typename Filter>
void fill_filter(const acl_options& o, bool match, Filter& f, const std::string* principal,
                 const std::string* operation, acl_permission permission) {
  auto resource = resource_of(o);
  f.resource_type_filter = resource ? static_cast<int8_t>(resource->first) : security::any_code;
  if (resource) {
    f.resource_name_filter = resource->second;
  } else {
    f.resource_name_filter.reset();
  }
  f.pattern_type_filter =
      static_cast<int8_t>(!resource ? pattern_type::any
                          : match   ? pattern_type::match
                                  : (o.prefixed ? pattern_type::prefixed : pattern_type::literal));
  if (principal != nullptr) {
    f.principal_filter = *principal;
  } else {
    f.principal_filter.reset();
  }
  if (!o.host.empty()) {
    f.host_filter = o.host;
  } else {
    f.host_filter.reset();
  }
  f.operation =
      operation != nullptr ? static_cast<int8_t>(*operation_named(*operation)) : security::any_code;
  f.permission_type = static_cast<int8_t>(permission);
}

int list_acls(const acl_options& o, kafka_client& c, std::ostream& out, std::ostream& err) {
  std::vector<binding_row> rows;
  std::vector<const std::string*> principals;
  for (const auto& p : o.principals) {
    principals.push_back(&p);
  }
  if (principals.empty()) {
    principals.push_back(nullptr);
  }
  for (const std::string* principal : principals) {
    P::describe_acls_request request;
    fill_filter(o, true, request, principal, nullptr, acl_permission::any);
    auto r = c.call<P::describe_acls_response>(request);
    if (!r) {
      err << "brook acl list: "
          << kafka_cluster::request_failed(c, "DescribeAcls", r.error()).error() << "\n";
      return 1;
    }
    if (r->error_code != 0) {
      err << "brook acl list: " << error_text(r->error_code, r->error_message) << "\n";
      return 1;
    }
    for (const auto& res : r->resources) {
      for (const auto& a : res.acls) {
        rows.push_back({res.resource_type, res.resource_name, res.pattern_type, a.principal, a.host,
                        a.operation, a.permission_type});
      }
    }
  }
  print_rows(rows, o.json, out);
  return 0;
}

int delete_acls(const acl_options& o, kafka_client& c, std::ostream& out, std::ostream& err) {
  P::delete_acls_request request;
  std::vector<std::pair<const std::string*, acl_permission>> who;
  for (const auto& p : o.principals) {
    who.emplace_back(&p, acl_permission::any);
  }
  for (const auto& p : o.allow) {
    who.emplace_back(&p, acl_permission::allow);
  }
  for (const auto& p : o.deny) {
    who.emplace_back(&p, acl_permission::deny);
  }
  if (who.empty()) {
    who.emplace_back(nullptr, acl_permission::any);
  }
  std::vector<const std::string*> ops;
  for (const auto& op : o.operations) {
    ops.push_back(&op);
  }
  if (ops.empty()) {
    ops.push_back(nullptr);
  }
  for (const auto& [principal, permission] : who) {
    for (const std::string* op : ops) {
      fill_filter(o, false, request.filters.emplace_back(), principal, op, permission);
    }
  }
  auto r = c.call<P::delete_acls_response>(request);
  if (!r) {
    err << "brook acl delete: " << kafka_cluster::request_failed(c, "DeleteAcls", r.error()).error()
        << "\n";
    return 1;
  }
  std::vector<binding_row> rows;
  for (const auto& f : r->filter_results) {
    if (f.error_code != 0) {
      err << "brook acl delete: " << error_text(f.error_code, f.error_message) << "\n";
      return 1;
    }
    for (const auto& m : f.matching_acls) {
      if (m.error_code != 0) {
        err << "brook acl delete: " << error_text(m.error_code, m.error_message) << "\n";
        return 1;
      }
      rows.push_back({m.resource_type, m.resource_name, m.pattern_type, m.principal, m.host,
                      m.operation, m.permission_type});
    }
  }
  if (o.json) {
    print_rows(rows, true, out);
  } else {
    out << "Deleted " << rows.size() << (rows.size() == 1 ? " binding" : " bindings") << "\n";
    if (!rows.empty()) {
      print_rows(rows, false, out);
    }
  }
  return 0;
}

}  // namespace

CLI::App* add_acl_command(CLI::App& app, acl_options& o) {
  auto* acl = app.add_subcommand("acl", "Add, list and delete ACL bindings (Kafka's model)");
  acl->require_subcommand(1);
  auto* add = acl->add_subcommand("add", "Allow or deny principals operations on a resource");
  add_connection_options(add, o.bootstrap, o.timeout_ms, o.login);
  add->add_option("--allow", o.allow, "Principal to allow, User:NAME (repeatable)")
      ->type_name("PRINCIPAL");
  add->add_option("--deny", o.deny, "Principal to deny, User:NAME (repeatable)")
      ->type_name("PRINCIPAL");
  add->add_option("--operation", o.operations, "Operation (repeatable)")
      ->type_name("OP")
      ->required();
  add_resource_options(add, o);
  add->add_flag("--prefixed", o.prefixed, "The resource name is a prefix");
  add->add_option("--host", o.host, "Client address the binding is for (default *)")
      ->type_name("ADDRESS");
  add->callback([&o] { o.action = "add"; });
  auto* list = acl->add_subcommand("list", "List the bindings (that apply to a resource)");
  add_connection_options(list, o.bootstrap, o.timeout_ms, o.login);
  add_resource_options(list, o);
  list->add_option("--principal", o.principals, "Only this principal's (repeatable)")
      ->type_name("PRINCIPAL");
  list->add_flag("--json", o.json, "Print one JSON object instead of text");
  list->callback([&o] { o.action = "list"; });
  auto* del = acl->add_subcommand("delete", "Delete the bindings the criteria select");
  add_connection_options(del, o.bootstrap, o.timeout_ms, o.login);
  add_resource_options(del, o);
  del->add_flag("--prefixed", o.prefixed, "The resource name is a prefix");
  del->add_option("--principal", o.principals, "Principal (repeatable)")->type_name("PRINCIPAL");
  del->add_option("--allow", o.allow, "Only ALLOW bindings of this principal")
      ->type_name("PRINCIPAL");
  del->add_option("--deny", o.deny, "Only DENY bindings of this principal")->type_name("PRINCIPAL");
  del->add_option("--operation", o.operations, "Operation (repeatable)")->type_name("OP");
  del->add_option("--host", o.host, "Client address")->type_name("ADDRESS");
  del->add_flag("--json", o.json, "Print the deleted bindings as one JSON object");
  del->callback([&o] { o.action = "delete"; });
  return acl;
}

done validate_acl_options(const acl_options& o) {
  if (auto valid = validate_connection(o.bootstrap, o.login); !valid) {
    return valid;
  }
  int resources = static_cast<int>(!o.topic.empty()) + static_cast<int>(!o.group.empty()) +
                  static_cast<int>(!o.transactional_id.empty()) + static_cast<int>(o.cluster);
  if (resources > 1) {
    return failure("give one of --topic, --group, --transactional-id and --cluster");
  }
  if (o.action == "add" && resources == 0) {
    return failure("name the resource: --topic, --group, --transactional-id or --cluster");
  }
  if (o.prefixed && (resources == 0 || o.cluster)) {
    return failure("--prefixed needs --topic, --group or --transactional-id");
  }
  for (const auto& op : o.operations) {
    if (!operation_named(op)) {
      return failure("--operation: '" + op +
                     "' is not one of all, read, write, create, delete, alter, describe, "
                     "cluster-action, describe-configs, alter-configs, idempotent-write");
    }
  }
  auto check_principal = [](const std::string& p) -> done {
    auto colon = p.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == p.size()) {
      return failure("'" + p + "' is not a principal TYPE:NAME (User:alice, User:*)");
    }
    return {};
  };
  for (const auto* list : {&o.allow, &o.deny, &o.principals}) {
    for (const auto& p : *list) {
      if (auto ok = check_principal(p); !ok) {
        return ok;
      }
    }
  }
  if (o.action == "add" && o.allow.empty() && o.deny.empty()) {
    return failure("give the principals: --allow or --deny");
  }
  if (o.action == "delete" && resources == 0 && o.allow.empty() && o.deny.empty() &&
      o.principals.empty()) {
    return failure("name a resource or a principal: delete does not remove every binding");
  }
  return {};
}

int run_acl(const acl_options& o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_acl_options(o); !valid) {
    err << "brook acl " << o.action << ": " << valid.error() << "\n";
    return 2;
  }
  kafka_client::options options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  apply_login(o.login, options);
  kafka_cluster cl(o.bootstrap, options);
  auto c = cl.bootstrap();
  if (!c) {
    err << "brook acl " << o.action << ": " << c.error() << "\n";
    return 1;
  }
  if (o.action == "add") {
    return add_acls(o, **c, out, err);
  }
  if (o.action == "list") {
    return list_acls(o, **c, out, err);
  }
  return delete_acls(o, **c, out, err);
}

}  // namespace brook::app
