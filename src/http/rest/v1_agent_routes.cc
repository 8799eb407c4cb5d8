// The agent registry's API (doc/registry.md), over ctx.agents (none when null):
//   POST   /v1/agents                {"name", "partitions", "retention_ms", "metadata",
//                                     "public_key"}; Idempotency-Key: 201, or 200 for a retry
//   GET    /v1/agents?after=ID&limit=N   the caller's agents (an admin's: all), by id
//   GET    /v1/agents/{id}
//   PATCH  /v1/agents/{id}          {"name", "metadata", "retention_ms"}: what is given changes
//   POST   /v1/agents/{id}/credentials:rotate   a new password; the old one stops at once
//   POST   /v1/agents/{id}:disable, :enable     login and ACLs taken away, given back
//                                                (enable answers a new password)
//   DELETE /v1/agents/{id}?delete_topic=true   204
//   GET    /v1/agents/{id}/logins?since=T&limit=N   its logins and failed logins (audit topic)
//   POST   /v1/agents/{id}/challenge   (open) a key login's challenge, over ctx.key_logins
//   POST   /v1/agents/{id}/token       (open) {"challenge", "signature"}: a bearer token
// The owner is the request's principal; an admin is a principal with ALTER on the cluster.
// Another owner's agent is answered 404, as a missing one. The registry's calls block
// (fsyncs): they run on ctx.blocking, off the I/O threads. Errors: the REST Proxy's shape.
#include <simdjson.h>

#include <charconv>
#include <functional>

#include "base/clock.h"
#include "base/json_writer.h"
#include "http/await.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"
#include "registry/agent_key_login.h"
#include "registry/agent_registry.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;
using registry::agent_view;
using registry::registry_error;

constexpr size_t max_page = 1000;
constexpr size_t max_idempotency_key = 255;

http_response failure(const registry_error& e) {
  return error_response(rest_error{e.status, e.code, e.message});
}

void write_agent(json_writer& w, const agent_view& v) {
  const auto& a = v.agent;
  w.key("id").value(a.id).key("name").value(a.name).key("owner").value(a.owner);
  w.key("topic").value(a.topic).key("group_prefix").value(a.topic + ".");
  w.key("principal").value(v.principal).key("username").value(v.username);
  w.key("state").value(a.state).key("partitions").value(int64_t{a.partitions});
  w.key("retention_ms");
  if (a.retention_ms) {
    w.value(*a.retention_ms);
  } else {
    w.null();
  }
  w.key("metadata").raw(a.metadata);
  w.key("public_key");
  if (a.public_key) {
    w.value(*a.public_key);
  } else {
    w.null();
  }
  w.key("created_at").value(format_iso8601(a.created_at_ms));
  w.key("updated_at").value(format_iso8601(a.updated_at_ms));
}

// The registration in the body, or why not.
expected<registry::registration, std::string> read_registration(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj) != simdjson::SUCCESS) {
    return unexpected(std::string("the body must be a JSON object"));
  }
  registry::registration r;
  bool named = false;
  for (auto [key, value] : obj) {
    if (key == "name") {
      std::string_view s;
      if (value.get(s) != simdjson::SUCCESS) {
        return unexpected(std::string("name must be a string"));
      }
      r.name = std::string(s);
      named = true;
    } else if (key == "partitions") {
      int64_t n = 0;
      if (value.get(n) != simdjson::SUCCESS || n < INT32_MIN || n > INT32_MAX) {
        return unexpected(std::string("partitions must be an integer"));
      }
      r.partitions = static_cast<int32_t>(n);
    } else if (key == "retention_ms") {
      int64_t n = 0;
      if (value.is_null()) {
        r.retention_ms.reset();
      } else if (value.get(n) != simdjson::SUCCESS) {
        return unexpected(std::string("retention_ms must be an integer or null"));
      } else {
        r.retention_ms = n;
      }
    } else if (key == "metadata") {
      if (!value.is_object()) {
        return unexpected(std::string("metadata must be a JSON object"));
      }
      r.metadata = simdjson::minify(value);
    } else if (key == "public_key") {
      std::string_view s;
      if (value.is_null()) {
        r.public_key.reset();
      } else if (value.get(s) != simdjson::SUCCESS) {
        return unexpected(std::string("public_key must be a string (an Ed25519 public key)"));
      } else {  // the registry checks the key (security::ed25519_key)
        r.public_key = std::string(s);
      }
    } else {
      return unexpected("unknown field \"" + std::string(key.substr(0, 64)) +
                        "\" (name, partitions, retention_ms, metadata, public_key)");
    }
  }
  if (!named) {
    return unexpected(std::string("name is required"));
  }
  return r;
}

// The PATCH body: the fields given, or why not.
expected<registry::agent_patch, std::string> read_patch(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body).get(obj) != simdjson::SUCCESS) {
    return unexpected(std::string("the body must be a JSON object"));
  }
  registry::agent_patch p;
  for (auto [key, value] : obj) {
    if (key == "name") {
      std::string_view s;
      if (value.get(s) != simdjson::SUCCESS) {
        return unexpected(std::string("name must be a string"));
      }
      p.name = std::string(s);
    } else if (key == "metadata") {
      if (!value.is_object()) {
        return unexpected(std::string("metadata must be a JSON object"));
      }
      p.metadata = simdjson::minify(value);
    } else if (key == "retention_ms") {
      int64_t n = 0;
      if (value.is_null()) {
        p.retention_ms = std::optional<int64_t>();
      } else if (value.get(n) != simdjson::SUCCESS) {
        return unexpected(std::string("retention_ms must be an integer or null"));
      } else {
        p.retention_ms = std::optional<int64_t>(n);
      }
    } else {
      return unexpected("unknown field \"" + std::string(key.substr(0, 64)) +
                        "\" (name, metadata, retention_ms)");
    }
  }
  return p;
}

// An agent with its new credentials.
http_response with_password(const registry::registered& r, unsigned status) {
  json_writer w;
  w.begin_object();
  write_agent(w, r.agent);
  w.key("password").value(r.password).key("sasl_mechanism").value("SCRAM-SHA-512");
  w.end_object();
  return http_response::json(status, w.take());
}

http_response agent_answer(const agent_view& v) {
  json_writer w;
  w.begin_object();
  write_agent(w, v);
  w.end_object();
  return http_response::json(200, w.take());
}

bool plain_key(std::string_view k) {
  return !k.empty() && k.size() <= max_idempotency_key &&
         std::all_of(k.begin(), k.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

using answer = registry::registry_result<http_response>;

registry_error bad_request(std::string message) {
  return registry_error{400, 400, std::move(message)};
}

answer agent_or_failure(const registry::registry_result<agent_view>& r) {
  if (!r) {
    return unexpected(r.error());
  }
  return agent_answer(*r);
}

answer credentials_or_failure(const registry::registry_result<registry::registered>& r,
                              unsigned status = 200) {
  if (!r) {
    return unexpected(r.error());
  }
  return with_password(*r, status);
}

answer registration(registry::agent_registry& agents, const http_request& req,
                    const registry::caller& c) {
  auto parsed = read_registration(req.body);
  if (!parsed) {
    return unexpected(bad_request(parsed.error()));
  }
  std::optional<std::string> key;
  if (auto given = req.header("Idempotency-Key"); !given.empty()) {
    if (!plain_key(given)) {
      return unexpected(bad_request("Idempotency-Key must be 1 to 255 printable characters"));
    }
    key = std::string(given);
  }
  auto done = agents.register_agent(c, *parsed, key);
  return credentials_or_failure(done, done && done->created ? 201 : 200);
}

// ?limit=, 1 to max_page (default 100).
registry::registry_result<size_t> limit_of(const http_request& req) {
  size_t limit = 100;
  if (auto l = req.query.find("limit"); l != req.query.end()) {
    const std::string& text = l->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit == 0 || limit > max_page) {
      return unexpected(bad_request("limit must be 1 to 1000"));
    }
  }
  return limit;
}

answer page(registry::agent_registry& agents, const http_request& req, const registry::caller& c) {
  auto limit = limit_of(req);
  if (!limit) {
    return unexpected(limit.error());
  }
  const auto a = req.query.find("after");
  const std::string after = a == req.query.end() ? std::string() : a->second;
  auto listed = agents.list(c, after, *limit);
  if (!listed) {
    return unexpected(listed.error());
  }
  json_writer w;
  w.begin_object().key("agents").begin_array();
  for (const auto& v : *listed) {
    w.begin_object();
    write_agent(w, v);
    w.end_object();
  }
  w.end_array().key("next");
  if (listed->size() == *limit) {
    w.value(listed->back().agent.id);
  } else {
    w.null();
  }
  w.end_object();
  return http_response::json(200, w.take());
}

// GET /v1/agents/{id}/logins?since=<ISO-8601 or epoch ms>&limit=<n>
answer logins(registry::agent_registry& agents, const http_request& req,
              const registry::caller& c) {
  int64_t since = 0;
  if (auto s = req.query.find("since"); s != req.query.end()) {
    const std::string& text = s->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), since);
    if (ec != std::errc() || end != text.data() + text.size()) {
      auto parsed = parse_iso8601(text);
      if (!parsed) {
        return unexpected(bad_request(
            "since must be an ISO-8601 time (2026-12-07T10:00:00Z) or epoch milliseconds"));
      }
      since = *parsed;
    }
  }
  auto limit = limit_of(req);
  if (!limit) {
    return unexpected(limit.error());
  }
  auto found = agents.logins(c, req.param("id"), since, *limit);
  if (!found) {
    return unexpected(found.error());
  }
  std::string body = R"({"logins":[)";
  for (size_t i = 0; i < found->size(); ++i) {
    body += (i == 0 ? "" : ",") + (*found)[i];
  }
  body += "]}";
  return http_response::json(200, std::move(body));
}

int64_t epoch_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

answer challenge(registry::agent_key_login& keys, const http_request& req) {
  auto c = keys.challenge_for(req.param("id"));
  if (!c) {
    return unexpected(c.error());
  }
  json_writer w;
  w.begin_object().key("agent").value(req.param("id")).key("challenge").value(c->text);
  w.key("algorithm")
      .value("Ed25519")
      .key("expires_at")
      .value(format_iso8601(epoch_ms(c->expires_at)));
  w.end_object();
  return http_response::json(200, w.take());
}

// POST /v1/agents/{id}/token {"challenge": "...", "signature": "<base64>"}
answer token(registry::agent_key_login& keys, const http_request& req) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(req.body).get(obj) != simdjson::SUCCESS) {
    return unexpected(bad_request("the body must be a JSON object"));
  }
  std::optional<std::string_view> challenge_text;
  std::optional<std::string_view> signature;
  for (auto [key, value] : obj) {
    std::string_view s;
    if (key != "challenge" && key != "signature") {
      return unexpected(bad_request("unknown field \"" + std::string(key.substr(0, 64)) +
                                    "\" (challenge, signature)"));
    }
    if (value.get(s) != simdjson::SUCCESS) {
      return unexpected(bad_request(std::string(key) + " must be a string"));
    }
    (key == "challenge" ? challenge_text : signature) = s;
  }
  if (!challenge_text || !signature) {
    return unexpected(bad_request("challenge and signature are required"));
  }
  auto login =
      keys.answer(req.param("id"), *challenge_text, *signature,
                  req.client_host.starts_with('/') ? req.client_host.substr(1) : req.client_host,
                  req.tls ? "https" : "http");
  if (!login) {
    return unexpected(login.error());
  }
  const auto left = std::chrono::duration_cast<std::chrono::seconds>(
      login->expires_at - std::chrono::system_clock::now());
  json_writer w;
  w.begin_object().key("access_token").value(login->token).key("token_type").value("Bearer");
  w.key("expires_in").value(int64_t{std::max<int64_t>(left.count(), 0)});
  w.key("expires_at").value(format_iso8601(epoch_ms(login->expires_at)));
  w.key("username").value(login->username).key("principal").value("User:" + login->username);
  w.key("sasl_mechanism").value("OAUTHBEARER");
  w.end_object();
  return http_response::json(200, w.take());
}

answer removal(registry::agent_registry& agents, const http_request& req,
               const registry::caller& c) {
  const auto f = req.query.find("delete_topic");
  const std::string flag = f == req.query.end() ? std::string("false") : f->second;
  if (flag != "true" && flag != "false") {
    return unexpected(bad_request("delete_topic must be true or false"));
  }
  auto removed = agents.remove(c, req.param("id"), flag == "true");
  if (!removed) {
    return unexpected(removed.error());
  }
  return http_response::no_content();
}

}  // namespace

void add_v1_agent_routes(router& r, rest_context& ctx) {
  if (ctx.agents == nullptr || ctx.blocking == nullptr) {
    return;
  }
  auto& agents = *ctx.agents;
  auto& pool = *ctx.blocking;
  auto admin = [&ctx](const http_request& req) {
    return ctx.authorizer.permits(
        req.principal, req.client_host, security::acl_operation::alter,
        {security::resource_type::cluster, security::cluster_resource_name});
  };
  // Each route is a registry call (it blocks: it runs on the pool) for the request and its
  // caller, answering the response or the registry's refusal.
  using call = std::function<answer(const http_request&, const registry::caller&)>;
  auto route = [&pool, admin](call f) {
    return [&pool, admin, f = std::move(f)](http_request& req) -> awaitable<http_response> {
      registry::caller c{req.principal, req.client_host, admin(req)};
      auto work = [&f, &req, &c] { return f(req, c); };
      auto answered = co_await run_blocking(pool, std::move(work));
      if (!answered) {
        co_return failure(answered.error());
      }
      co_return std::move(*answered);
    };
  };

  r.add(verb::post, "/v1/agents",
        route([&agents](const http_request& req, const registry::caller& c) {
          return registration(agents, req, c);
        }));
  r.add(verb::get, "/v1/agents",
        route([&agents](const http_request& req, const registry::caller& c) {
          return page(agents, req, c);
        }));
  r.add(verb::get, "/v1/agents/{id}",
        route([&agents](const http_request& req, const registry::caller& c) {
          return agent_or_failure(agents.get(c, req.param("id")));
        }));
  r.add(verb::patch, "/v1/agents/{id}",
        route([&agents](const http_request& req, const registry::caller& c) {
          auto patch = read_patch(req.body);
          if (!patch) {
            return answer(unexpected(bad_request(patch.error())));
          }
          return agent_or_failure(agents.update(c, req.param("id"), *patch));
        }));
  r.add(verb::post, "/v1/agents/{id}:disable",
        route([&agents](const http_request& req, const registry::caller& c) {
          return agent_or_failure(agents.disable(c, req.param("id")));
        }));
  r.add(verb::post, "/v1/agents/{id}:enable",
        route([&agents](const http_request& req, const registry::caller& c) {
          return credentials_or_failure(agents.enable(c, req.param("id")));
        }));
  r.add(verb::post, "/v1/agents/{id}/credentials:rotate",
        route([&agents](const http_request& req, const registry::caller& c) {
          return credentials_or_failure(agents.rotate(c, req.param("id")));
        }));
  r.add(verb::get, "/v1/agents/{id}/logins",
        route([&agents](const http_request& req, const registry::caller& c) {
          return logins(agents, req, c);
        }));
  r.add(verb::delete_, "/v1/agents/{id}",
        route([&agents](const http_request& req, const registry::caller& c) {
          return removal(agents, req, c);
        }));
  if (ctx.key_logins != nullptr) {
    // Open: the agent logs in with them (no other login needed).
    auto& keys = *ctx.key_logins;
    r.add_open(verb::post, "/v1/agents/{id}/challenge",
               route([&keys](const http_request& req, const registry::caller&) {
                 return challenge(keys, req);
               }));
    r.add_open(verb::post, "/v1/agents/{id}/token",
               route([&keys](const http_request& req, const registry::caller&) {
                 return token(keys, req);
               }));
  }
}

}  // namespace brook::http::rest
