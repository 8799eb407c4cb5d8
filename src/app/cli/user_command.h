// `brook user add|passwd|list|delete`: SCRAM users over the Kafka protocol
// (AlterUserScramCredentials and DescribeUserScramCredentials, KIP-554), so it works
// against Brook and against any Kafka cluster that keeps SCRAM credentials.
//
//   add NAME       creates the user with SCRAM-SHA-256 and SCRAM-SHA-512 credentials (or
//                  those of --mechanism); refused if the user exists
//   passwd NAME    replaces the password of an existing user
//   list           every user with its mechanisms and iteration counts
//   delete NAME... removes users (every mechanism of each)
//
// The new password comes from --password, one line of standard input (--password-stdin),
// or a prompt on the terminal (asked twice); the salt and SaltedPassword are computed here
// and only they cross the wire. Exit status: 0 success, 1 failure, 2 bad arguments.
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

struct user_options {
  std::string action;  // add, passwd, list or delete
  std::string bootstrap = "127.0.0.1:9092";
  int64_t timeout_ms = 10000;
  kafka_login login;
  bool json = false;
  std::vector<std::string> users;
  std::string password;  // add, passwd
  bool password_stdin = false;
  std::vector<std::string> mechanisms;  // add, passwd; empty: both SCRAM mechanisms
  int32_t iterations = 4096;
};

CLI::App* add_user_command(CLI::App& app, user_options& options);
done validate_user_options(const user_options& options);
int run_user(const user_options& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace brook::app
