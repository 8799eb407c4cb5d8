// client_options: what the librdkafka-based commands (`brook produce`, `brook consume`)
// share: --bootstrap, the SASL login, -X librdkafka properties, and their checks; the
// client's properties built once from them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "app/cli/command_outcome.h"
#include "app/cli/kafka_login.h"

namespace CLI {
class App;
}

namespace brook::app {

struct client_options {
  std::string bootstrap = "127.0.0.1:9092";
  kafka_login login;
  std::vector<std::string> properties;  // -X NAME=VALUE
};

// --bootstrap, the login options and -X on `sub`.
void add_client_options(CLI::App* sub, client_options& o);

// The connection's and the properties' checks, and `topic` a legal topic name.
done validate_client_options(const client_options& o, const std::string& topic);

// bootstrap.servers, the SASL login (over SASL_PLAINTEXT unless -X security.protocol says
// otherwise), then the -X properties, in that order (a later one wins).
std::vector<std::pair<std::string, std::string>> client_properties(const client_options& o);

}  // namespace brook::app
