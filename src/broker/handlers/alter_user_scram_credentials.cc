// AlterUserScramCredentials (key 51, KIP-554): deletes and upserts users' SCRAM
// credentials; the client sends the salt and SaltedPassword, from which the broker keeps
// StoredKey and ServerKey. Needs ALTER on the cluster. One result per user, with Kafka's
// errors: UNACCEPTABLE_CREDENTIAL (empty name, iterations outside 4096-16384, empty salt
// or password), UNSUPPORTED_SASL_MECHANISM, DUPLICATE_RESOURCE (a user's mechanism
// altered twice in one request), RESOURCE_NOT_FOUND (deleting what does not exist). A
// user with any error is not changed at all.
#include "protocol/messages/alter_user_scram_credentials.h"
#include "base/log.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "protocol/kafka_error.h"
#include "security/scram_credential.h"

namespace brook::broker::handlers {

namespace {
using protocol::alter_user_scram_credentials_request;
using protocol::alter_user_scram_credentials_response;
using protocol::kafka_error;
using security::scram_mechanism;

struct user_error {
  kafka_error code;
  std::string message;
};

std::string text_of(const std::vector<std::byte>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void handle(broker& b, std::shared_ptr<request_context> req, responder respond) {
  auto in = decode_or_close<alter_user_scram_credentials_request>(*req, respond);
  if (!in) {
    return;
  }
  alter_user_scram_credentials_response out;
  std::map<std::string, std::optional<user_error>> users;  // every user named, its first error
  auto refuse = [&](const std::string& user, kafka_error code, std::string message) {
    auto& e = users[user];
    if (!e) {
      e = user_error{code, std::move(message)};
    }
  };
  for (const auto& d : in->deletions) {
    users.try_emplace(d.name);
  }
  for (const auto& u : in->upsertions) {
    users.try_emplace(u.name);
  }
  const bool allowed = req->authorized_on_cluster(security::acl_operation::alter);
  std::map<std::pair<std::string, int8_t>, int> altered;
  auto check = [&](const std::string& name, int8_t mechanism) {
    if (!allowed) {
      refuse(name, kafka_error::cluster_authorization_failed,
             denied_message(security::resource_type::cluster, security::cluster_resource_name));
    } else if (name.empty()) {
      refuse(name, kafka_error::unacceptable_credential, "Username must not be empty");
    } else if (!security::scram_mechanism_of_code(mechanism)) {
      refuse(name, kafka_error::unsupported_sasl_mechanism, "Unknown SCRAM mechanism");
    } else if (++altered[{name, mechanism}] > 1) {
      refuse(name, kafka_error::duplicate_resource,
             "A user credential cannot be altered twice in the same request");
    }
  };
  for (const auto& d : in->deletions) {
    check(d.name, d.mechanism);
    auto mechanism = security::scram_mechanism_of_code(d.mechanism);
    if (allowed && mechanism && !b.users().find(d.name, *mechanism)) {
      refuse(d.name, kafka_error::resource_not_found,
             "Attempt to delete a user credential that does not exist");
    }
  }
  for (const auto& u : in->upsertions) {
    check(u.name, u.mechanism);
    if (u.iterations < security::min_scram_iterations) {
      refuse(u.name, kafka_error::unacceptable_credential, "Too few iterations");
    } else if (u.iterations > security::max_scram_iterations) {
      refuse(u.name, kafka_error::unacceptable_credential, "Too many iterations");
    } else if (u.salt.empty() || u.salted_password.empty()) {
      refuse(u.name, kafka_error::unacceptable_credential,
             "Salt and salted password must not be empty");
    }
  }
  // Apply the changes of the users without errors.
  for (const auto& d : in->deletions) {
    if (users[d.name]) {
      continue;
    }
    if (auto removed = b.users().remove(d.name, *security::scram_mechanism_of_code(d.mechanism));
        !removed) {
      log::error("cannot delete a SCRAM credential of '{}': {}", d.name, removed.error().message());
      refuse(d.name, kafka_error::unknown_server_error, "Cannot write the credential store");
    }
  }
  for (const auto& u : in->upsertions) {
    if (users[u.name]) {
      continue;
    }
    const auto mechanism = *security::scram_mechanism_of_code(u.mechanism);
    auto credential = security::scram_credential_from_salted(mechanism, text_of(u.salted_password),
                                                             text_of(u.salt), u.iterations);
    if (auto st = b.users().put(u.name, credential); !st) {
      log::error("cannot store a SCRAM credential of '{}': {}", u.name, st.error().message());
      refuse(u.name, kafka_error::unknown_server_error, "Cannot write the credential store");
    }
  }
  for (const auto& [name, error] : users) {
    auto& r = out.results.emplace_back();
    r.user = name;
    r.error_code = error ? protocol::code(error->code) : int16_t{0};
    if (error) {
      r.error_message = error->message;
    } else {
      r.error_message.reset();
    }
  }
  respond.send(req->header, out);
}
}  // namespace

const api_handler alter_user_scram_credentials{alter_user_scram_credentials_request::api_key, 0, 0,
                                               &handle};
static_assert(0 <= alter_user_scram_credentials_request::max_version);

}  // namespace brook::broker::handlers
