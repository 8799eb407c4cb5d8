#include "app/cli/client_options.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "app/cli/key_value.h"
#include "protocol/topic_name.h"

namespace brook::app {

void add_client_options(CLI::App* sub, client_options& o) {
  sub->add_option("--bootstrap", o.bootstrap, "Broker address")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  add_login_options(sub, o.login);
  sub->add_option("-X,--property", o.properties,
                  "A librdkafka property, NAME=VALUE (repeatable): security.protocol=SSL, "
                  "ssl.ca.location=ca.pem, compression.type=zstd, ...")
      ->type_name("NAME=VALUE");
}

done validate_client_options(const client_options& o, const std::string& topic) {
  if (auto valid = validate_connection(o.bootstrap, o.login); !valid) {
    return valid;
  }
  if (auto valid = protocol::validate_topic_name(topic); !valid) {
    return failure(fmt::format("'{}' is not a valid topic name: {}", topic, valid.error().message));
  }
  return check_key_values(o.properties, "-X");
}

std::vector<std::pair<std::string, std::string>> client_properties(const client_options& o) {
  std::vector<std::pair<std::string, std::string>> p{{"bootstrap.servers", o.bootstrap}};
  if (!o.login.mechanism.empty()) {
    p.emplace_back("security.protocol", "SASL_PLAINTEXT");
    p.emplace_back("sasl.mechanisms", o.login.mechanism);
    p.emplace_back("sasl.username", o.login.username);
    p.emplace_back("sasl.password", o.login.password);
  }
  for (const auto& kv : o.properties) {
    p.push_back(split_key_value(kv));
  }
  return p;
}

}  // namespace brook::app
