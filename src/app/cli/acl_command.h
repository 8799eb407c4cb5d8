// `brook acl add|list|delete`: ACL bindings over the Kafka protocol (CreateAcls,
// DescribeAcls, DeleteAcls), so it works against Brook and against any Kafka cluster with
// an authorizer. Logged in as a user with ALTER (add, delete) or DESCRIBE (list) on the
// cluster: a super user, at first.
//
//   add     --allow|--deny PRINCIPAL... --operation OP... and one resource:
//           --topic NAME | --group NAME | --cluster | --transactional-id NAME,
//           [--prefixed] (the name is a prefix), [--host ADDRESS] (default *)
//   list    every binding, or those that apply to the resource given (literal, "*" and
//           prefixes: Kafka's MATCH) and/or to --principal
//   delete  the bindings the criteria select (resource as for list but exact, --principal,
//           --operation, --host, --allow/--deny); at least one criterion
//
// Operations are Kafka's (read, write, create, delete, alter, describe, cluster-action,
// describe-configs, alter-configs, idempotent-write, all), in any case, '-' or '_'.
// Exit status: 0 success, 1 failure, 2 bad arguments.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/kafka_login.h"

namespace CLI {
class App;
}

namespace brook::app {

struct acl_options {
  std::string action;  // add, list or delete
  std::string bootstrap = "127.0.0.1:9092";
  int64_t timeout_ms = 10000;
  kafka_login login;
  bool json = false;
  std::vector<std::string> allow;  // principals
  std::vector<std::string> deny;
  std::vector<std::string> principals;  // list, delete
  std::vector<std::string> operations;
  std::string topic;
  std::string group;
  std::string transactional_id;
  bool cluster = false;
  bool prefixed = false;
  std::string host;  // empty: "*" for add, any for list and delete
};

CLI::App* add_acl_command(CLI::App& app, acl_options& options);
done validate_acl_options(const acl_options& options);
int run_acl(const acl_options& options, std::ostream& out, std::ostream& err);

}  // namespace brook::app
