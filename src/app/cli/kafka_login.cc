#include "app/cli/kafka_login.h"

#include <CLI/CLI.hpp>

namespace brook::app {

void add_login_options(CLI::App* sub, kafka_login& login) {
  sub->add_option("--sasl-mechanism", login.mechanism,
                  "Log in with SASL: SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN")
      ->type_name("MECHANISM")
      ->envname("BROOK_SASL_MECHANISM");
  sub->add_option("--sasl-username", login.username, "SASL user name")
      ->type_name("USER")
      ->envname("BROOK_SASL_USERNAME");
  sub->add_option("--sasl-password", login.password,
                  "SASL password (better from the environment: BROOK_SASL_PASSWORD)")
      ->type_name("PASSWORD")
      ->envname("BROOK_SASL_PASSWORD");
}

done validate_login(const kafka_login& login) {
  if (login.mechanism.empty()) {
    if (!login.username.empty()) {
      return failure(
          "--sasl-username needs --sasl-mechanism (SCRAM-SHA-256, SCRAM-SHA-512 or "
          "PLAIN)");
    }
    return {};
  }
  if (login.mechanism != "SCRAM-SHA-256" && login.mechanism != "SCRAM-SHA-512" &&
      login.mechanism != "PLAIN") {
    return failure("--sasl-mechanism: '" + login.mechanism +
                   "' is not SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN");
  }
  if (login.username.empty() || login.password.empty()) {
    return failure("--sasl-mechanism " + login.mechanism +
                   " needs --sasl-username and --sasl-password (or BROOK_SASL_USERNAME and "
                   "BROOK_SASL_PASSWORD)");
  }
  return {};
}

void apply_login(const kafka_login& login, kafka_client::options& options) {
  options.sasl_mechanism = login.mechanism;
  options.sasl_username = login.username;
  options.sasl_password = login.password;
}

void add_connection_options(CLI::App* sub, std::string& bootstrap, int64_t& timeout_ms,
                            kafka_login& login) {
  sub->add_option("--bootstrap", bootstrap, "Broker address HOST:PORT")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  sub->add_option("--timeout-ms", timeout_ms, "Connect and request timeout")
      ->type_name("MS")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}));
  add_login_options(sub, login);
}

done validate_connection(const std::string& bootstrap, const kafka_login& login) {
  if (auto valid = validate_login(login); !valid) {
    return valid;
  }
  if (!parse_host_port(bootstrap)) {
    return failure("--bootstrap: '" + bootstrap + "' is not HOST:PORT");
  }
  return {};
}

}  // namespace brook::app
