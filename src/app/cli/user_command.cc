#include "app/cli/user_command.h"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <istream>
#include <map>
#include <ostream>

#include "app/cli/kafka_cluster.h"
#include "app/cli/kafka_error_text.h"
#include "base/json_writer.h"
#include "protocol/messages/alter_user_scram_credentials.h"
#include "protocol/messages/describe_user_scram_credentials.h"
#include "security/crypto.h"
#include "security/scram_credential.h"

namespace brook::app {

namespace P = protocol;

namespace {

using security::scram_mechanism;

void add_password_options(CLI::App* sub, user_options& o) {
  sub->add_option("--password", o.password,
                  "The new password (default: asked on the terminal, or --password-stdin)")
      ->type_name("PASSWORD");
  sub->add_flag("--password-stdin", o.password_stdin, "Read the new password from standard input");
  sub->add_option("--mechanism", o.mechanisms,
                  "SCRAM mechanism to set (repeatable; default both SCRAM-SHA-256 and "
                  "SCRAM-SHA-512)")
      ->type_name("MECHANISM");
  sub->add_option("--iterations", o.iterations, "PBKDF2 iterations")
      ->type_name("N")
      ->capture_default_str();
}

// One line of `in`; on a terminal, asked twice with echo off.
outcome<std::string> read_password(std::istream& in, std::ostream& err, bool from_stdin) {
  const bool tty = !from_stdin && ::isatty(STDIN_FILENO) == 1;
  auto read_line = [&](const char* prompt) -> outcome<std::string> {
    termios saved{};
    if (tty) {
      err << prompt << std::flush;
      ::tcgetattr(STDIN_FILENO, &saved);
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    const bool got = static_cast<bool>(std::getline(in, line));
    if (tty) {
      ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      err << "\n";
    }
    if (!got) {
      return failure("no password on standard input");
    }
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    return line;
  };
  auto first = read_line("New password: ");
  if (!first) {
    return first;
  }
  if (tty) {
    auto again = read_line("Again: ");
    if (!again) {
      return again;
    }
    if (*again != *first) {
      return failure("the passwords differ");
    }
  }
  return first;
}

std::vector<scram_mechanism> mechanisms_of(const user_options& o) {
  std::vector<scram_mechanism> out;
  for (const auto& name : o.mechanisms) {
    out.push_back(*security::scram_mechanism_named(name));
  }
  if (out.empty()) {
    out = {scram_mechanism::sha256, scram_mechanism::sha512};
  }
  return out;
}

// Kafka's error, with the broker's message when it gave one.
std::string error_text(int16_t code, const std::optional<std::string>& message) {
  std::string out = explain(code);
  if (message && !message->empty()) {
    out += ": " + *message;
  }
  return out;
}

outcome<kafka_client*> connect(kafka_cluster& cl) {
  return cl.bootstrap();
}

// Every user the broker knows (name -> its mechanisms and iterations).
outcome<std::map<std::string,
                 std::vector<P::describe_user_scram_credentials_response::credential_info>>>
describe_all(kafka_client& c) {
  P::describe_user_scram_credentials_request request;
  request.users.reset();
  auto r = c.call<P::describe_user_scram_credentials_response>(request);
  if (!r) {
    return kafka_cluster::request_failed(c, "DescribeUserScramCredentials", r.error());
  }
  if (r->error_code != 0) {
    return failure(error_text(r->error_code, r->error_message));
  }
  std::map<std::string, std::vector<P::describe_user_scram_credentials_response::credential_info>>
      out;
  for (const auto& u : r->results) {
    if (u.error_code == 0) {
      out[u.user] = u.credential_infos;
    }
  }
  return out;
}

// Sends the alteration; each user's error, if any, is reported.
done alter(kafka_client& c, const P::alter_user_scram_credentials_request& request) {
  auto r = c.call<P::alter_user_scram_credentials_response>(request);
  if (!r) {
    return kafka_cluster::request_failed(c, "AlterUserScramCredentials", r.error());
  }
  std::string errors;
  for (const auto& u : r->results) {
    if (u.error_code != 0) {
      errors +=
          (errors.empty() ? "" : "; ") + u.user + ": " + error_text(u.error_code, u.error_message);
    }
  }
  if (!errors.empty()) {
    return failure(errors);
  }
  return {};
}

int set_password(const user_options& o, bool creating, std::istream& in, std::ostream& out,
                 std::ostream& err) {
  const std::string name = "brook user " + o.action;
  const std::string& user = o.users.front();
  kafka_client::options options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  apply_login(o.login, options);
  kafka_cluster cl(o.bootstrap, options);
  auto c = connect(cl);
  if (!c) {
    err << name << ": " << c.error() << "\n";
    return 1;
  }
  auto users = describe_all(**c);
  if (!users) {
    err << name << ": " << users.error() << "\n";
    return 1;
  }
  if (creating && users->contains(user)) {
    err << name << ": user '" << user << "' exists (change its password with brook user passwd)\n";
    return 1;
  }
  if (!creating && !users->contains(user)) {
    err << name << ": no user '" << user << "' (add it with brook user add)\n";
    return 1;
  }
  std::string password = o.password;
  if (password.empty()) {
    auto read = read_password(in, err, o.password_stdin);
    if (!read) {
      err << name << ": " << read.error() << "\n";
      return 1;
    }
    password = *read;
  }
  if (password.empty()) {
    err << name << ": the password must not be empty\n";
    return 1;
  }
  P::alter_user_scram_credentials_request request;
  for (auto m : mechanisms_of(o)) {
    auto& u = request.upsertions.emplace_back();
    u.name = user;
    u.mechanism = static_cast<int8_t>(m);
    u.iterations = o.iterations;
    const std::string salt = security::random_bytes(32);
    const std::string salted =
        security::pbkdf2(security::digest_of(m), password, salt, o.iterations);
    u.salt.assign(reinterpret_cast<const std::byte*>(salt.data()),
                  reinterpret_cast<const std::byte*>(salt.data()) + salt.size());
    u.salted_password.assign(reinterpret_cast<const std::byte*>(salted.data()),
                             reinterpret_cast<const std::byte*>(salted.data()) + salted.size());
  }
  if (auto st = alter(**c, request); !st) {
    err << name << ": " << st.error() << "\n";
    return 1;
  }
  out << (creating ? "Added user " : "Changed the password of ") << user << "\n";
  return 0;
}

int list_users(const user_options& o, std::ostream& out, std::ostream& err) {
  kafka_client::options options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  apply_login(o.login, options);
  kafka_cluster cl(o.bootstrap, options);
  auto c = connect(cl);
  if (!c) {
    err << "brook user list: " << c.error() << "\n";
    return 1;
  }
  auto users = describe_all(**c);
  if (!users) {
    err << "brook user list: " << users.error() << "\n";
    return 1;
  }
  auto mechanism_name = [](int8_t code) {
    auto m = security::scram_mechanism_of_code(code);
    return m ? std::string(security::scram_mechanism_name(*m))
             : "mechanism " + std::to_string(code);
  };
  if (o.json) {
    json_writer w;
    w.begin_object();
    w.key("users").begin_array();
    for (const auto& [user, infos] : *users) {
      w.begin_object();
      w.key("name").value(user);
      w.key("credentials").begin_array();
      for (const auto& i : infos) {
        w.begin_object();
        w.key("mechanism").value(mechanism_name(i.mechanism));
        w.key("iterations").value(int64_t{i.iterations});
        w.end_object();
      }
      w.end_array();
      w.end_object();
    }
    w.end_array();
    w.end_object();
    out << w.str() << "\n";
    return 0;
  }
  size_t width = 4;
  for (const auto& [user, infos] : *users) {
    width = std::max(width, user.size());
  }
  out << "USER" << std::string(width - 4 + 2, ' ') << "MECHANISMS\n";
  for (const auto& [user, infos] : *users) {
    std::string mechanisms;
    for (const auto& i : infos) {
      mechanisms += (mechanisms.empty() ? "" : ", ") + mechanism_name(i.mechanism) + " (" +
                    std::to_string(i.iterations) + " iterations)";
    }
    out << user << std::string(width - user.size() + 2, ' ') << mechanisms << "\n";
  }
  return 0;
}

int delete_users(const user_options& o, std::ostream& out, std::ostream& err) {
  kafka_client::options options;
  options.timeout = std::chrono::milliseconds(o.timeout_ms);
  apply_login(o.login, options);
  kafka_cluster cl(o.bootstrap, options);
  auto c = connect(cl);
  if (!c) {
    err << "brook user delete: " << c.error() << "\n";
    return 1;
  }
  auto users = describe_all(**c);
  if (!users) {
    err << "brook user delete: " << users.error() << "\n";
    return 1;
  }
  P::alter_user_scram_credentials_request request;
  for (const auto& user : o.users) {
    auto it = users->find(user);
    if (it == users->end()) {
      err << "brook user delete: no user '" << user << "'\n";
      return 1;
    }
    for (const auto& i : it->second) {
      auto& d = request.deletions.emplace_back();
      d.name = user;
      d.mechanism = i.mechanism;
    }
  }
  if (auto st = alter(**c, request); !st) {
    err << "brook user delete: " << st.error() << "\n";
    return 1;
  }
  for (const auto& user : o.users) {
    out << "Deleted user " << user << "\n";
  }
  return 0;
}

}  // namespace

CLI::App* add_user_command(CLI::App& app, user_options& o) {
  auto* user = app.add_subcommand("user", "Add, list and delete SCRAM users (KIP-554)");
  user->require_subcommand(1);
  auto* add = user->add_subcommand("add", "Add a user with a password");
  add_connection_options(add, o.bootstrap, o.timeout_ms, o.login);
  add->add_option("user", o.users, "User name")->type_name("USER")->required()->expected(1);
  add_password_options(add, o);
  add->callback([&o] { o.action = "add"; });
  auto* passwd = user->add_subcommand("passwd", "Change a user's password");
  add_connection_options(passwd, o.bootstrap, o.timeout_ms, o.login);
  passwd->add_option("user", o.users, "User name")->type_name("USER")->required()->expected(1);
  add_password_options(passwd, o);
  passwd->callback([&o] { o.action = "passwd"; });
  auto* list = user->add_subcommand("list", "List users and their SCRAM mechanisms");
  add_connection_options(list, o.bootstrap, o.timeout_ms, o.login);
  list->add_flag("--json", o.json, "Print one JSON object instead of text");
  list->callback([&o] { o.action = "list"; });
  auto* del = user->add_subcommand("delete", "Delete users");
  add_connection_options(del, o.bootstrap, o.timeout_ms, o.login);
  del->add_option("users", o.users, "User names")->type_name("USER")->required();
  del->callback([&o] { o.action = "delete"; });
  return user;
}

done validate_user_options(const user_options& o) {
  if (auto valid = validate_connection(o.bootstrap, o.login); !valid) {
    return valid;
  }
  for (const auto& m : o.mechanisms) {
    if (!security::scram_mechanism_named(m)) {
      return failure("--mechanism: '" + m + "' is not SCRAM-SHA-256 or SCRAM-SHA-512");
    }
  }
  if (o.iterations < security::min_scram_iterations ||
      o.iterations > security::max_scram_iterations) {
    return failure("--iterations: must be between 4096 and 16384");
  }
  if (!o.password.empty() && o.password_stdin) {
    return failure("--password and --password-stdin: give one");
  }
  for (const auto& u : o.users) {
    if (u.empty()) {
      return failure("a user name must not be empty");
    }
  }
  return {};
}

int run_user(const user_options& o, std::istream& in, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_user_options(o); !valid) {
    err << "brook user " << o.action << ": " << valid.error() << "\n";
    return 2;
  }
  if (o.action == "add" || o.action == "passwd") {
    return set_password(o, o.action == "add", in, out, err);
  }
  if (o.action == "list") {
    return list_users(o, out, err);
  }
  return delete_users(o, out, err);
}

}  // namespace brook::app
