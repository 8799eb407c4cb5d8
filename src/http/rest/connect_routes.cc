// Kafka Connect's REST API over the connect runtime (connect/connect_runtime.h), in
// Connect's shapes so that its scripts and UIs work: /connectors (list, with ?expand=status
// and ?expand=info; create), /connectors/{name} (info, delete), .../config (get, put),
// .../status, .../tasks, .../pause, .../resume, .../restart, .../tasks/0/restart, and
// /connector-plugins. Errors are Connect's {"error_code": <HTTP status>, "message": ...}.
// Reading needs DESCRIBE on the cluster, changing ALTER on the cluster. Credentials in a
// configuration are never shown (connector_config.h: masked_values).
#include <simdjson.h>

#include "connect/connect_runtime.h"
#include "http/await.h"
#include "http/rest/json_input.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;
using connect::connect_result;
using connect::connect_runtime;

http_response connect_error_response(int status, std::string_view message) {
  json_writer w;
  w.begin_object().key("error_code").value(static_cast<int64_t>(status));
  w.key("message").value(message).end_object();
  return http_response::json(static_cast<unsigned>(status), w.take());
}

http_response failure(const connect::connect_error& e) {
  return connect_error_response(e.status, e.message);
}

// Calls runtime.op(args..., done) and awaits its answer.
template <typename T, typename Start>
awaitable<connect_result<T>> ask(Start start) {
  co_return co_await await_callback<connect_result<T>>(std::move(start));
}

void write_config(json_writer& w, const connect::connector_config::values& config) {
  w.begin_object();
  for (const auto& [k, v] : config) {
    w.key(k).value(v);
  }
  w.end_object();
}

void write_info(json_writer& w, const connect::connector_view& v) {
  w.begin_object().key("name").value(v.name).key("config");
  write_config(w, v.config);
  w.key("tasks").begin_array().begin_object().key("connector").value(v.name);
  w.key("task").value(int64_t{0}).end_object().end_array();
  w.key("type").value(v.type).end_object();
}

void write_status(json_writer& w, const connect::connector_status& s, const std::string& worker) {
  const auto state = std::string(connect::task_state_name(s.task.state));
  w.begin_object().key("name").value(s.name);
  w.key("connector").begin_object().key("state").value(state == "FAILED" ? "RUNNING" : state);
  w.key("worker_id").value(worker).end_object();
  w.key("tasks").begin_array().begin_object().key("id").value(int64_t{0});
  w.key("state").value(state).key("worker_id").value(worker);
  if (!s.task.trace.empty()) {
    w.key("trace").value(s.task.trace);
  }
  w.end_object().end_array();
  w.key("type").value(s.type);
  // Brook's additions: the group, the principal it acts as, the destination's last error
  // while retrying, counts.
  w.key("group").value(s.group);
  if (!s.task.principal.empty()) {
    w.key("principal").value(s.task.principal);
  }
  if (!s.task.last_error.empty()) {
    w.key("last_error").value(s.task.last_error);
  }
  w.key("records_written").value(s.task.records_written);
  w.key("records_rejected").value(s.task.records_rejected);
  w.key("records_dead_lettered").value(s.task.records_dead_lettered);
  w.key("retries").value(s.task.retries);
  w.end_object();
}

// The configuration object of a request body: string values (numbers and booleans are
// taken as their text, as Connect's JSON mapper does); anything else is a 400.
bool read_config(simdjson::ondemand::object obj, connect::connector_config::values& out,
                 std::string& why) {
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
      why = "malformed JSON";
      return false;
    }
    simdjson::ondemand::value value;
    simdjson::ondemand::json_type type;
    if (field.value().get(value) != simdjson::SUCCESS ||
        value.type().get(type) != simdjson::SUCCESS) {
      why = "malformed JSON";
      return false;
    }
    std::string_view text;
    switch (type) {
      case simdjson::ondemand::json_type::string:
        if (value.get_string().get(text) != simdjson::SUCCESS) {
          why = "malformed JSON";
          return false;
        }
        out[std::string(key)] = std::string(text);
        break;
      case simdjson::ondemand::json_type::number:
      case simdjson::ondemand::json_type::boolean:
        if (raw_text(value, text) != simdjson::SUCCESS) {
          why = "malformed JSON";
          return false;
        }
        out[std::string(key)] = std::string(trim_json(text));
        break;
      default:
        why = "the value of " + std::string(key) + " must be a string";
        return false;
    }
  }
  return true;
}

thread_local simdjson::ondemand::parser connect_parser;

}  // namespace

void add_connect_routes(router& r, rest_context& ctx) {
  if (ctx.connectors == nullptr) {
    return;
  }
  connect_runtime& rt = *ctx.connectors;
  // Connect's worker_id: this server as the client reached it.
  auto worker_of = [&ctx](const http_request& req) {
    auto host = req.header("host");
    return host.empty() ? ctx.config.host + ":" + std::to_string(ctx.config.port)
                        : std::string(host);
  };
  // DESCRIBE (reads) or ALTER (changes) on the cluster; nullopt when allowed.
  auto refused = [&ctx](const http_request& req, bool change) -> std::optional<http_response> {
    const auto op = change ? security::acl_operation::alter : security::acl_operation::describe;
    if (ctx.caller_of(req).may(op, security::resource_type::cluster,
                               security::cluster_resource_name)) {
      return std::nullopt;
    }
    return connect_error_response(
        403, change ? "Not authorized: managing connectors needs ALTER on the cluster"
                    : "Not authorized: reading connectors needs DESCRIBE on the cluster");
  };

  r.add(verb::get, "/connector-plugins", [refused](http_request& req) -> awaitable<http_response> {
    if (auto no = refused(req, false)) {
      co_return *no;
    }
    json_writer w;
    w.begin_array();
    for (const auto& p : connect::all_plugins()) {
      w.begin_object().key("class").value(p.class_name).key("type").value(p.type);
      w.key("version").value(p.version).end_object();
    }
    w.end_array();
    co_return http_response::json(200, w.take());
  });

  r.add(verb::get, "/connectors",
        [&rt, refused, worker_of](http_request& req) -> awaitable<http_response> {
          if (auto no = refused(req, false)) {
            co_return *no;
          }
          auto start = [&rt](auto done) { rt.list(std::move(done)); };
          auto names = co_await ask<std::vector<std::string>>(std::move(start));
          if (!names) {
            co_return failure(names.error());
          }
          const std::string worker = worker_of(req);
          auto expand = req.query.find("expand");
          if (expand == req.query.end()) {
            json_writer w;
            w.begin_array();
            for (const auto& n : *names) {
              w.value(n);
            }
            w.end_array();
            co_return http_response::json(200, w.take());
          }
          const bool status = expand->second == "status";
          const bool info = expand->second == "info";
          json_writer w;
          w.begin_object();
          for (const auto& n : *names) {
            w.key(n).begin_object();
            if (status) {
              auto ask_status = [&rt, n](auto done) { rt.status(n, std::move(done)); };
              auto s = co_await ask<connect::connector_status>(std::move(ask_status));
              if (s) {
                w.key("status");
                write_status(w, *s, worker);
              }
            }
            if (info) {
              auto ask_info = [&rt, n](auto done) { rt.get(n, std::move(done)); };
              auto v = co_await ask<connect::connector_view>(std::move(ask_info));
              if (v) {
                w.key("info");
                write_info(w, *v);
              }
            }
            w.end_object();
          }
          w.end_object();
          co_return http_response::json(200, w.take());
        });

  r.add(verb::post, "/connectors", [&rt, refused](http_request& req) -> awaitable<http_response> {
    if (auto no = refused(req, true)) {
      co_return *no;
    }
    if (!is_valid_json(req.body)) {
      co_return connect_error_response(400, "The body is not JSON");
    }
    simdjson::ondemand::document doc;
    simdjson::ondemand::object body;
    if (connect_parser.iterate(padded(req.body)).get(doc) != simdjson::SUCCESS ||
        doc.get_object().get(body) != simdjson::SUCCESS) {
      co_return connect_error_response(400, "The body must be a JSON object with name and config");
    }
    std::string name;
    connect::connector_config::values config;
    bool has_config = false;
    std::string why;
    for (auto field : body) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) {
        co_return connect_error_response(400, "malformed JSON");
      }
      if (key == "name") {
        std::string_view n;
        if (field.value().get_string().get(n) != simdjson::SUCCESS) {
          co_return connect_error_response(400, "name must be a string");
        }
        name = std::string(n);
      } else if (key == "config") {
        simdjson::ondemand::object obj;
        if (field.value().get_object().get(obj) != simdjson::SUCCESS ||
            !read_config(obj, config, why)) {
          co_return connect_error_response(
              400, why.empty() ? "config must be an object of strings" : why);
        }
        has_config = true;
      }
    }
    if (name.empty()) {
      if (auto it = config.find("name"); it != config.end()) {
        name = it->second;
      }
    }
    if (name.empty() || !has_config) {
      co_return connect_error_response(400, "Connector name and config are required");
    }
    auto start = [&rt, &name, &config](auto done) { rt.create(name, config, std::move(done)); };
    auto made = co_await ask<connect::connector_view>(std::move(start));
    if (!made) {
      co_return failure(made.error());
    }
    json_writer w;
    write_info(w, *made);
    auto out = http_response::json(201, w.take());
    out.headers.emplace_back("Location", "/connectors/" + made->name);
    co_return out;
  });

  // GET of a connector, its configuration or its task: the view, written one way or another.
  using view_writer = void (*)(json_writer&, const connect::connector_view&);
  auto show = [&rt, refused](view_writer write) {
    return [&rt, refused, write](http_request& req) -> awaitable<http_response> {
      if (auto no = refused(req, false)) {
        co_return *no;
      }
      auto start = [&rt, name = req.param("name")](auto done) { rt.get(name, std::move(done)); };
      auto v = co_await ask<connect::connector_view>(std::move(start));
      if (!v) {
        co_return failure(v.error());
      }
      json_writer w;
      write(w, *v);
      co_return http_response::json(200, w.take());
    };
  };
  r.add(verb::get, "/connectors/{name}", show(write_info));
  r.add(verb::get, "/connectors/{name}/config",
        show([](json_writer& w, const connect::connector_view& v) { write_config(w, v.config); }));
  r.add(verb::get, "/connectors/{name}/tasks",
        show([](json_writer& w, const connect::connector_view& v) {
          w.begin_array().begin_object().key("id").begin_object().key("connector").value(v.name);
          w.key("task").value(int64_t{0}).end_object().key("config");
          write_config(w, v.config);
          w.end_object().end_array();
        }));

  r.add(verb::put, "/connectors/{name}/config",
        [&rt, refused](http_request& req) -> awaitable<http_response> {
          if (auto no = refused(req, true)) {
            co_return *no;
          }
          if (!is_valid_json(req.body)) {
            co_return connect_error_response(400, "The body is not JSON");
          }
          simdjson::ondemand::document doc;
          simdjson::ondemand::object body;
          connect::connector_config::values config;
          std::string why;
          if (connect_parser.iterate(padded(req.body)).get(doc) != simdjson::SUCCESS ||
              doc.get_object().get(body) != simdjson::SUCCESS || !read_config(body, config, why)) {
            co_return connect_error_response(
                400, why.empty() ? "The body must be a JSON object of strings" : why);
          }
          auto start = [&rt, name = req.param("name"), &config](auto done) {
            rt.put_config(name, config, std::move(done));
          };
          auto put = co_await ask<std::pair<connect::connector_view, bool>>(std::move(start));
          if (!put) {
            co_return failure(put.error());
          }
          json_writer w;
          write_info(w, put->first);
          co_return http_response::json(put->second ? 201 : 200, w.take());
        });

  r.add(verb::get, "/connectors/{name}/status",
        [&rt, refused, worker_of](http_request& req) -> awaitable<http_response> {
          if (auto no = refused(req, false)) {
            co_return *no;
          }
          const std::string worker = worker_of(req);
          auto start = [&rt, name = req.param("name")](auto done) {
            rt.status(name, std::move(done));
          };
          auto s = co_await ask<connect::connector_status>(std::move(start));
          if (!s) {
            co_return failure(s.error());
          }
          json_writer w;
          write_status(w, *s, worker);
          co_return http_response::json(200, w.take());
        });

  // pause, resume, restart and delete: no body in the answer.
  using op = void (connect_runtime::*)(std::string, connect_runtime::done<void>);
  auto action = [&rt, refused](op f, unsigned status) {
    return [&rt, refused, f, status](http_request& req) -> awaitable<http_response> {
      if (auto no = refused(req, true)) {
        co_return *no;
      }
      auto start = [&rt, f, name = req.param("name")](auto done) {
        (rt.*f)(name, std::move(done));
      };
      auto r = co_await ask<void>(std::move(start));
      if (!r) {
        co_return failure(r.error());
      }
      co_return http_response{status, {}, {}, {}};
    };
  };
  r.add(verb::put, "/connectors/{name}/pause", action(&connect_runtime::pause, 202));
  r.add(verb::put, "/connectors/{name}/resume", action(&connect_runtime::resume, 202));
  r.add(verb::post, "/connectors/{name}/restart", action(&connect_runtime::restart, 204));
  r.add(verb::post, "/connectors/{name}/tasks/{task}/restart",
        action(&connect_runtime::restart, 204));
  r.add(verb::delete_, "/connectors/{name}", action(&connect_runtime::remove, 204));
}

}  // namespace brook::http::rest
