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
      } else if (value.get(s) != simdjson::SUCCESS || s.empty() || s.size() > 4096) {
        return unexpected(std::string("public_key must be a string of up to 4096 characters"));
      } else {
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

  r.add(verb::post, "/v1/agents", [&agents, &pool](http_request& req) -> awaitable<http_response> {
    auto parsed = read_registration(req.body);
    if (!parsed) {
      co_return error_response(error_codes::bad_request, parsed.error());
    }
    std::optional<std::string> key;
    if (auto given = req.header("Idempotency-Key"); !given.empty()) {
      if (!plain_key(given)) {
        co_return error_response(error_codes::bad_request,
                                 "Idempotency-Key must be 1 to 255 printable characters");
      }
      key = std::string(given);
    }
    auto work = [&agents, &req, &parsed, &key] {
      return agents.register_agent(req.principal, *parsed, key);
    };
    auto done = co_await run_blocking(pool, std::move(work));
    if (!done) {
      co_return failure(done.error());
    }
    co_return with_password(*done, done->created ? 201 : 200);
  });

  r.add(verb::get, "/v1/agents",
        [&agents, &pool, admin](http_request& req) -> awaitable<http_response> {
          size_t limit = 100;
          if (auto l = req.query.find("limit"); l != req.query.end()) {
            const std::string& text = l->second;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
            if (ec != std::errc() || end != text.data() + text.size() || limit == 0 ||
                limit > max_page) {
              co_return error_response(error_codes::bad_request, "limit must be 1 to 1000");
            }
          }
          const auto a = req.query.find("after");
          const std::string after = a == req.query.end() ? std::string() : a->second;
          const bool all = admin(req);
          auto work = [&agents, &req, all, &after, limit] {
            return agents.list(req.principal, all, after, limit);
          };
          auto listed = co_await run_blocking(pool, std::move(work));
          if (!listed) {
            co_return failure(listed.error());
          }
          json_writer w;
          w.begin_object().key("agents").begin_array();
          for (const auto& v : *listed) {
            w.begin_object();
            write_agent(w, v);
            w.end_object();
          }
          w.end_array().key("next");
          if (listed->size() == limit) {
            w.value(listed->back().agent.id);
          } else {
            w.null();
          }
          w.end_object();
          co_return http_response::json(200, w.take());
        });

  r.add(verb::get, "/v1/agents/{id}",
        [&agents, &pool, admin](http_request& req) -> awaitable<http_response> {
          const bool all = admin(req);
          auto work = [&agents, &req, all] {
            return agents.get(req.principal, all, req.param("id"));
          };
          auto got = co_await run_blocking(pool, std::move(work));
          if (!got) {
            co_return failure(got.error());
          }
          co_return agent_answer(*got);
        });

  // The calls on one agent that answer it (with new credentials, or not).
  using agent_call =
      std::function<registry::registry_result<agent_view>(const http_request&, bool)>;
  using credential_call =
      std::function<registry::registry_result<registry::registered>(const http_request&, bool)>;
  auto answer_agent = [&pool, admin](agent_call call) {
    return [&pool, admin, call](http_request& req) -> awaitable<http_response> {
      const bool all = admin(req);
      auto work = [&call, &req, all] { return call(req, all); };
      auto got = co_await run_blocking(pool, std::move(work));
      if (!got) {
        co_return failure(got.error());
      }
      co_return agent_answer(*got);
    };
  };
  auto answer_credentials = [&pool, admin](credential_call call) {
    return [&pool, admin, call](http_request& req) -> awaitable<http_response> {
      const bool all = admin(req);
      auto work = [&call, &req, all] { return call(req, all); };
      auto got = co_await run_blocking(pool, std::move(work));
      if (!got) {
        co_return failure(got.error());
      }
      co_return with_password(*got, 200);
    };
  };
  r.add(verb::patch, "/v1/agents/{id}",
        answer_agent(
            [&agents](const http_request& req, bool all) -> registry::registry_result<agent_view> {
              auto patch = read_patch(req.body);
              if (!patch) {
                return unexpected(registry_error{400, 400, patch.error()});
              }
              return agents.update(req.principal, all, req.param("id"), *patch);
            }));
  r.add(verb::post, "/v1/agents/{id}:disable",
        answer_agent([&agents](const http_request& req, bool all) {
          return agents.disable(req.principal, all, req.param("id"));
        }));
  r.add(verb::post, "/v1/agents/{id}:enable",
        answer_credentials([&agents](const http_request& req, bool all) {
          return agents.enable(req.principal, all, req.param("id"));
        }));
  r.add(verb::post, "/v1/agents/{id}/credentials:rotate",
        answer_credentials([&agents](const http_request& req, bool all) {
          return agents.rotate(req.principal, all, req.param("id"));
        }));

  r.add(verb::delete_, "/v1/agents/{id}",
        [&agents, &pool, admin](http_request& req) -> awaitable<http_response> {
          const auto f = req.query.find("delete_topic");
          const std::string flag = f == req.query.end() ? std::string("false") : f->second;
          if (flag != "true" && flag != "false") {
            co_return error_response(error_codes::bad_request,
                                     "delete_topic must be true or false");
          }
          const bool delete_topic = flag == "true";
          const bool all = admin(req);
          auto work = [&agents, &req, all, delete_topic] {
            return agents.remove(req.principal, all, req.param("id"), delete_topic);
          };
          auto removed = co_await run_blocking(pool, std::move(work));
          if (!removed) {
            co_return failure(removed.error());
          }
          co_return http_response::no_content();
        });
}

}  // namespace brook::http::rest
