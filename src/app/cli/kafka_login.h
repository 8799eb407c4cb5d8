// kafka_login: how a `brook` command logs in to a SASL listener: --sasl-mechanism,
// --sasl-username, --sasl-password (or BROOK_SASL_MECHANISM, BROOK_SASL_USERNAME,
// BROOK_SASL_PASSWORD, so that a password need not be on the command line). Shared by
// every command that talks to a broker.
#pragma once

#include <cstdint>
#include <string>

#include "app/cli/command_outcome.h"
#include "app/cli/kafka_client.h"

namespace CLI {
class App;
}

namespace brook::app {

struct kafka_login {
  std::string mechanism;  // empty: no SASL (PLAINTEXT listener)
  std::string username;
  std::string password;
};

void add_login_options(CLI::App* sub, kafka_login& login);

// Checks the combination (a mechanism needs a user name and a password, and is one Brook's
// client speaks); the error names the option.
done validate_login(const kafka_login& login);

// --bootstrap, --timeout-ms and the login options, as every such command takes them.
void add_connection_options(CLI::App* sub, std::string& bootstrap, int64_t& timeout_ms,
                            kafka_login& login);
// The login's check, and --bootstrap as HOST:PORT.
done validate_connection(const std::string& bootstrap, const kafka_login& login);

// Puts the login into a client's options.
void apply_login(const kafka_login& login, kafka_client::options& options);

}  // namespace brook::app
