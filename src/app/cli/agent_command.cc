#include "app/cli/agent_command.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <ostream>
#include <utility>
#include <vector>

#include "app/cli/group_cli.h"
#include "base/base64.h"
#include "base/json_writer.h"
#include "base/uri_encoding.h"
#include "security/ed25519_key.h"

namespace brook::app {

namespace {

// Single quotes for a POSIX shell.
std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

void print_agent(simdjson::dom::element a, std::ostream& out) {
  const std::string retention = json_text(a, "retention_ms");
  out << fmt::format("agent {} \"{}\" ({})\n", json_text(a, "id"), json_text(a, "name"),
                     json_text(a, "state"));
  std::vector<std::vector<std::string>> rows{
      {"  topic",
       fmt::format("{} ({} partition{}, retention.ms {})", json_text(a, "topic"),
                   json_text(a, "partitions"), json_text(a, "partitions") == "1" ? "" : "s",
                   retention == "-" ? "the broker's default" : retention)},
      {"  owner", json_text(a, "owner")},
      {"  login",
       fmt::format("{} (SASL username {})", json_text(a, "principal"), json_text(a, "username"))},
      {"  groups", json_text(a, "group_prefix") + "*"},
      {"  metadata", json_text(a, "metadata")},
      {"  created", json_text(a, "created_at")},
      {"  updated", json_text(a, "updated_at")},
  };
  if (json_text(a, "public_key") != "-") {
    rows.push_back({"  public key", json_text(a, "public_key")});
  }
  for (const auto& r : rows) {
    out << fmt::format("{:<13}{}\n", r[0], r[1]);
  }
}

// The password once, and how kcat and confluent-kafka connect as the agent.
void print_credentials(simdjson::dom::element a, const agent_options& o, std::ostream& out) {
  const std::string user = json_text(a, "username");
  const std::string password = json_text(a, "password");
  const std::string topic = json_text(a, "topic");
  const std::string mechanism = json_text(a, "sasl_mechanism");
  out << fmt::format(
      "\npassword: {}\n(shown this once: keep it now; `brook agent rotate {}` "
      "gives a new one)\n",
      password, json_text(a, "id"));
  out << "\nkcat:\n"
      << fmt::format(
             "  kcat -b {} -X security.protocol={} -X sasl.mechanisms={} \\\n"
             "       -X sasl.username={} -X sasl.password={} -t {} -P\n",
             o.bootstrap, o.security_protocol, mechanism, user, shell_quoted(password), topic);
  json_writer conf;
  conf.begin_object()
      .key("bootstrap.servers")
      .value(o.bootstrap)
      .key("security.protocol")
      .value(o.security_protocol)
      .key("sasl.mechanisms")
      .value(mechanism)
      .key("sasl.username")
      .value(user)
      .key("sasl.password")
      .value(password)
      .end_object();
  out << "\nconfluent-kafka (Python):\n"
      << "  conf = " << conf.take() << "\n"
      << fmt::format("  Producer(conf).produce(\"{}\", b\"hello\")\n", topic)
      << fmt::format("  Consumer(dict(conf, **{{\"group.id\": \"{}readers\"}}))\n",
                     json_text(a, "group_prefix"));
}

// The JSON body of register and update from the options.
outcome<std::string> body_of(const agent_options& o) {
  json_writer w;
  w.begin_object();
  if (!o.name.empty()) {
    w.key("name").value(o.name);
  }
  if (o.partitions) {
    w.key("partitions").value(int64_t{*o.partitions});
  }
  if (o.retention_ms) {
    w.key("retention_ms");
    if (*o.retention_ms == "default") {
      w.null();
    } else {
      w.raw(*o.retention_ms);
    }
  }
  if (!o.metadata.empty()) {
    w.key("metadata").raw(o.metadata);
  }
  if (!o.public_key.empty()) {
    auto key = read_text_file(o.public_key, "--public-key");
    if (!key) {
      return failure(key.error());
    }
    w.key("public_key").value(*key);
  }
  w.end_object();
  return w.take();
}

int print_list(const agent_options& o, std::ostream& out, std::ostream& err) {
  std::vector<std::vector<std::string>> rows{{"ID", "NAME", "TOPIC", "STATE", "OWNER"}};
  std::string json = "[";
  std::string after;
  simdjson::dom::parser parser;
  for (;;) {
    std::string path = "/v1/agents?limit=1000";
    if (!after.empty()) {
      path += "&after=" + uri_encode(after);
    }
    auto r = rest_call(o.target, "GET", path);
    if (!r || r->status != 200) {
      err << "brook agent list: " << (r ? rest_error_text(*r) : r.error()) << "\n";
      return 1;
    }
    simdjson::dom::element root;
    simdjson::dom::array agents;
    if (parser.parse(r->body).get(root) != simdjson::SUCCESS ||
        root["agents"].get(agents) != simdjson::SUCCESS) {
      err << "brook agent list: not the registry's answer: " << r->body << "\n";
      return 1;
    }
    for (auto a : agents) {
      json += (json.size() > 1 ? "," : "") + simdjson::minify(a);
      rows.push_back({json_text(a, "id"), json_text(a, "name"), json_text(a, "topic"),
                      json_text(a, "state"), json_text(a, "owner")});
    }
    std::string_view next;
    if (root["next"].get(next) != simdjson::SUCCESS) {
      break;
    }
    after = std::string(next);
  }
  if (o.json) {
    out << json << "]\n";
  } else {
    group_cli::print_table(out, rows);
  }
  return 0;
}

// The key login (doc/registry.md): a challenge, signed with --private-key, traded for a
// token. No other login is needed.
int key_login(const agent_options& o, std::ostream& out, std::ostream& err) {
  const std::string prefix = "brook agent login: ";
  auto pem = read_text_file(o.private_key, "--private-key");
  if (!pem) {
    err << prefix << pem.error() << "\n";
    return 2;
  }
  const std::string path = "/v1/agents/" + uri_encode(o.id);
  auto asked = rest_call(o.target, "POST", path + "/challenge");
  if (!asked || asked->status >= 300) {
    err << prefix << (asked ? rest_error_text(*asked) : asked.error()) << "\n";
    return 1;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element c;
  std::string_view challenge;
  if (parser.parse(asked->body).get(c) != simdjson::SUCCESS ||
      c["challenge"].get(challenge) != simdjson::SUCCESS) {
    err << prefix << "the server's challenge is not JSON with a challenge: " << asked->body << "\n";
    return 1;
  }
  auto signature = security::ed25519_sign(*pem + "\n", challenge);
  if (!signature) {
    err << prefix << "--private-key " << o.private_key << ": " << signature.error() << "\n";
    return 2;
  }
  json_writer w;
  w.begin_object().key("challenge").value(challenge);
  w.key("signature").value(base64_encode(*signature)).end_object();
  auto r = rest_call(o.target, "POST", path + "/token", w.take());
  if (!r || r->status >= 300) {
    err << prefix << (r ? rest_error_text(*r) : r.error()) << "\n";
    return 1;
  }
  if (o.json) {
    out << r->body << "\n";
    return 0;
  }
  simdjson::dom::element t;
  if (parser.parse(r->body).get(t) != simdjson::SUCCESS) {
    out << r->body << "\n";
    return 0;
  }
  out << fmt::format(
      "{} logged in with its key; the token is good until {} ({} s), as SASL OAUTHBEARER on "
      "the Kafka port and as Authorization: Bearer on HTTP:\n{}\n",
      json_text(t, "principal"), json_text(t, "expires_at"), json_text(t, "expires_in"),
      json_text(t, "access_token"));
  return 0;
}

int run_action(const agent_options& o, std::ostream& out, std::ostream& err) {
  const std::string prefix = "brook agent " + o.action + ": ";
  if (o.action == "list") {
    return print_list(o, out, err);
  }
  if (o.action == "login") {
    return key_login(o, out, err);
  }
  const std::string path = "/v1/agents/" + uri_encode(o.id);
  outcome<rest_reply> r = failure("");
  if (o.action == "register" || o.action == "update") {
    auto body = body_of(o);
    if (!body) {
      err << prefix << body.error() << "\n";
      return 2;
    }
    std::vector<std::string> headers;
    if (!o.idempotency_key.empty()) {
      headers.push_back("Idempotency-Key: " + o.idempotency_key);
    }
    r = o.action == "register" ? rest_call(o.target, "POST", "/v1/agents", *body, headers)
                               : rest_call(o.target, "PATCH", path, *body);
  } else if (o.action == "show") {
    r = rest_call(o.target, "GET", path);
  } else if (o.action == "rotate") {
    r = rest_call(o.target, "POST", path + "/credentials:rotate");
  } else if (o.action == "disable" || o.action == "enable") {
    r = rest_call(o.target, "POST", path + ":" + o.action);
  } else {
    r = rest_call(o.target, "DELETE",
                  path + "?delete_topic=" + (o.delete_topic ? "true" : "false"));
  }
  if (!r) {
    err << prefix << r.error() << "\n";
    return 1;
  }
  if (r->status >= 300) {
    err << prefix << rest_error_text(*r) << "\n";
    return 1;
  }
  if (o.action == "delete") {
    if (o.json) {
      out << "{}\n";
    } else {
      out << fmt::format("agent {} deleted (its login and ACLs revoked; topic {})\n", o.id,
                         o.delete_topic ? "deleted" : "kept");
    }
    return 0;
  }
  if (o.json) {
    out << r->body << "\n";
    return 0;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element a;
  if (parser.parse(r->body).get(a) != simdjson::SUCCESS) {
    out << r->body << "\n";
    return 0;
  }
  print_agent(a, out);
  if (o.action == "register" || o.action == "rotate" || o.action == "enable") {
    print_credentials(a, o, out);
  }
  return 0;
}

}  // namespace

CLI::App* add_agent_command(CLI::App& app, agent_options& o) {
  auto* cmd = app.add_subcommand(
      "agent",
      "Agents (the registry): register, list, show, update, rotate, disable, enable, delete, "
      "login");
  cmd->require_subcommand(1);
  auto common = [&o](CLI::App* sub) {
    add_rest_target_options(sub, o.target, "The HTTP listener of brook serve");
    sub->add_flag("--json", o.json, "Print the API's JSON answer");
  };
  auto connect_options = [&o](CLI::App* sub) {
    sub->add_option("--bootstrap", o.bootstrap,
                    "The Kafka listener the printed settings connect to")
        ->envname("BROOK_BOOTSTRAP")
        ->type_name("HOST:PORT")
        ->capture_default_str();
    sub->add_option("--security-protocol", o.security_protocol,
                    "The printed settings' security.protocol")
        ->check(CLI::IsMember({"SASL_PLAINTEXT", "SASL_SSL"}))
        ->capture_default_str();
  };
  auto fields = [&o](CLI::App* sub) {
    sub->add_option("--retention-ms", o.retention_ms,
                    "The topic's retention.ms: -1 forever, at least 1000, or default")
        ->type_name("MS");
    sub->add_option("--metadata", o.metadata, "A JSON object kept with the agent")
        ->type_name("JSON");
  };
  auto with_id = [&](const char* name, const char* help) {
    auto* sub = cmd->add_subcommand(name, help);
    common(sub);
    sub->add_option("id", o.id, "The agent's id")->required()->type_name("ID");
    sub->callback([&o, name] { o.action = name; });
    return sub;
  };

  auto* reg = cmd->add_subcommand(
      "register", "Register an agent: its own topic, login and ACLs (the password printed once)");
  common(reg);
  connect_options(reg);
  fields(reg);
  reg->add_option("name", o.name, "What you call the agent (1 to 200 characters)")
      ->required()
      ->type_name("NAME");
  reg->add_option("--partitions", o.partitions, "The topic's partitions (1 to 1000; default 1)")
      ->type_name("N");
  reg->add_option("--public-key", o.public_key,
                  "A file with the agent's Ed25519 public key (PEM, or base64 of its 32 bytes)")
      ->type_name("PATH");
  reg->add_option("--idempotency-key", o.idempotency_key,
                  "Retrying with the same key gives the same agent (with a new password)")
      ->type_name("KEY");
  reg->callback([&o] { o.action = "register"; });

  auto* list = cmd->add_subcommand("list", "Your agents (every agent for an admin)");
  common(list);
  list->callback([&o] { o.action = "list"; });

  with_id("show", "An agent: its topic, login, state and metadata");
  auto* update = with_id("update", "Change an agent's name, metadata or topic retention");
  update->add_option("--name", o.name, "A new name")->type_name("NAME");
  fields(update);
  connect_options(with_id("rotate", "A new password; the old one stops working at once"));
  with_id("disable", "Take the agent's login and ACLs away (its topic and records stay)");
  connect_options(with_id("enable", "Give a disabled agent its access back, with a new password"));
  auto* login = with_id("login",
                        "Log in as the agent with its private key: a token for SASL OAUTHBEARER "
                        "and HTTP Bearer (no other login needed)");
  login
      ->add_option("--private-key", o.private_key,
                   "A file with the agent's Ed25519 private key (PEM, as openssl genpkey "
                   "-algorithm ed25519 writes it)")
      ->required()
      ->type_name("PATH");
  auto* del = with_id("delete", "Delete an agent: its login and ACLs revoked at once");
  del->add_flag("--delete-topic", o.delete_topic, "Delete its topic too (default: kept)");
  return cmd;
}

done validate_agent_options(agent_options& o) {
  if (auto valid = check_rest_target(o.target); !valid) {
    return valid;
  }
  if (o.retention_ms && *o.retention_ms != "default") {
    int64_t ms = 0;
    const auto& t = *o.retention_ms;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), ms);
    if (ec != std::errc() || end != t.data() + t.size()) {
      return failure(fmt::format("--retention-ms: {} is not a number of ms or default", t));
    }
  }
  if (!o.metadata.empty()) {
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    if (parser.parse(o.metadata).get(obj) != simdjson::SUCCESS) {
      return failure("--metadata must be a JSON object");
    }
  }
  if (o.action == "update" && o.name.empty() && !o.retention_ms && o.metadata.empty()) {
    return failure("say what changes: --name, --metadata or --retention-ms");
  }
  return {};
}

int run_agent(agent_options o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_agent_options(o); !valid) {
    err << "brook agent " << o.action << ": " << valid.error() << "\n";
    return 2;
  }
  return run_action(o, out, err);
}

}  // namespace brook::app
