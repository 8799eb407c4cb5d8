// DescribeUserScramCredentials (key 50, KIP-554): each user's SCRAM mechanisms and
// iteration counts (never the keys). Needs DESCRIBE on the cluster. A user asked for twice
// gets DUPLICATE_RESOURCE, an unknown one RESOURCE_NOT_FOUND; no list (or an empty one)
// describes every user.
#include "protocol/messages/describe_user_scram_credentials.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"

namespace brook::broker::handlers {

namespace {
using protocol::describe_user_scram_credentials_request;
using protocol::describe_user_scram_credentials_response;
using protocol::kafka_error;

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<describe_user_scram_credentials_request>(*req, respond);
  if (!in) {
    return;
  }
  describe_user_scram_credentials_response out;
  out.error_code = 0;
  out.error_message.reset();
  if (!req->authorized_on_cluster(security::acl_operation::describe)) {
    out.error_code = protocol::code(kafka_error::cluster_authorization_failed);
    out.error_message =
        denied_message(security::resource_type::cluster, security::cluster_resource_name);
    respond.send(req->header, out);
    return;
  }
  const auto users = b.users().list();
  auto describe = [&](const std::string& name) {
    auto& r = out.results.emplace_back();
    r.user = name;
    r.error_code = 0;
    r.error_message.reset();
    auto it = users.find(name);
    if (it == users.end()) {
      r.error_code = protocol::code(kafka_error::resource_not_found);
      r.error_message = "Attempt to describe a user credential that does not exist: " + name;
      return;
    }
    for (const auto& [mechanism, iterations] : it->second) {
      auto& info = r.credential_infos.emplace_back();
      info.mechanism = static_cast<int8_t>(mechanism);
      info.iterations = iterations;
    }
  };
  if (!in->users || in->users->empty()) {
    for (const auto& [name, credentials] : users) {
      describe(name);
    }
  } else {
    std::map<std::string, int> asked;
    for (const auto& u : *in->users) {
      ++asked[u.name];
    }
    for (const auto& [name, times] : asked) {
      if (times > 1) {
        auto& r = out.results.emplace_back();
        r.user = name;
        r.error_code = protocol::code(kafka_error::duplicate_resource);
        r.error_message =
            "Cannot describe SCRAM credentials for the same user twice in a "
            "single request: " +
            name;
        continue;
      }
      describe(name);
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler describe_user_scram_credentials{describe_user_scram_credentials_request::api_key,
                                                  0, 0, &handle};
static_assert(0 <= describe_user_scram_credentials_request::max_version);

}  // namespace brook::broker::handlers
