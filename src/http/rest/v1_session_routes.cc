// The web console's sessions and permissions (doc/http-api.md "Console sessions"):
//   GET    /v1/session    (open) who the browser is logged in as, its CSRF token, or
//                         {"logged_in": false}; with logins off, User:ANONYMOUS
//   POST   /v1/session    (open) {"user", "password"}: a Brook user's password (the Kafka
//                         port's, credentials.db) opens a session; the answer sets the
//                         HttpOnly, SameSite=Strict cookie brook_session (Secure over
//                         HTTPS) and carries the CSRF token later calls send in X-CSRF-Token
//   DELETE /v1/session    (open) logs out: the session ends and the cookie is cleared
//   GET    /v1/session/oidc           (open) single sign-on: redirects the browser to the
//                         OpenID Connect provider (authorization code flow with PKCE,
//                         security::oidc_login), the login's state bound to the browser in
//                         the cookie brook_oidc
//   GET    /v1/session/oidc/callback  (open) where the provider sends the browser back:
//                         the code exchanged and the ID token checked, a session opened,
//                         then a redirect to /ui (or to /ui?login_error=... saying why not)
//   POST   /v1/authorize  {"checks": [{"operation", "resource_type", "resource_name"}]}:
//                         which of these the caller may do (the console hides what it may
//                         not; the server refuses it anyway)
// Logins go through http_authentication (the failed-login limits and the audit of every
// other login); sessions are kept by security::session_store.
#include <simdjson.h>

#include "base/base64.h"
#include "base/json_writer.h"
#include "base/text.h"
#include "base/uri_encoding.h"
#include "http/await.h"
#include "http/http_authentication.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"
#include "security/crypto.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

constexpr size_t max_checks = 200;

std::string session_json(const security::principal& who, bool required, const std::string& csrf,
                         std::chrono::milliseconds expires_in) {
  json_writer w;
  w.begin_object().key("logged_in").value(true);
  w.key("authentication").value(required ? "required" : "none");
  w.key("principal").value(who.to_string()).key("user").value(who.name);
  w.key("csrf_token");
  if (csrf.empty()) {
    w.null();
  } else {
    w.value(csrf);
  }
  w.key("expires_in_ms");
  if (required) {
    w.value(static_cast<int64_t>(expires_in.count()));
  } else {
    w.null();
  }
  w.end_object();
  return w.take();
}

// The Set-Cookie header of a session (empty id: the cookie cleared).
std::string set_cookie(const http_request& req, std::string_view id) {
  std::string c =
      std::string(session_cookie) + "=" + std::string(id) + "; Path=/; HttpOnly; SameSite=Strict";
  if (req.tls) {
    c += "; Secure";
  }
  if (id.empty()) {
    c += "; Max-Age=0";
  }
  return c;
}

http_response logged_out(bool required, bool sso) {
  json_writer w;
  w.begin_object().key("logged_in").value(false);
  w.key("authentication").value(required ? "required" : "none");
  w.key("single_sign_on").value(sso).end_object();
  return http_response::json(200, w.take());
}

constexpr std::string_view sso_cookie = "brook_oidc";
constexpr std::string_view callback_path = "/v1/session/oidc/callback";

// A redirect to `location`, with these cookies set.
http_response redirect(std::string location, std::vector<std::string> cookies = {}) {
  http_response r{302, "text/plain; charset=utf-8", "Redirecting to " + location + "\n", {}};
  r.headers.emplace_back("Location", std::move(location));
  r.headers.emplace_back("Cache-Control", "no-store");
  for (auto& c : cookies) {
    r.headers.emplace_back("Set-Cookie", std::move(c));
  }
  return r;
}

// The login page again, saying why the single sign-on failed.
http_response sso_failed(const http_request& req, std::string_view why) {
  std::string clear = std::string(sso_cookie) + "=; Path=/v1/session/oidc; HttpOnly; Max-Age=0";
  if (req.tls) {
    clear += "; Secure";
  }
  return redirect("/ui?login_error=" + uri_encode(why.substr(0, 300)), {clear});
}

template <typename E>
std::optional<E> enum_named(std::string_view text, std::initializer_list<E> all,
                            std::string_view (*name)(E)) {
  for (E e : all) {
    if (iequals(name(e), text)) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace

void add_v1_session_routes(router& r, rest_context& ctx) {
  const http_authentication* logins = ctx.authentication;

  r.add_open(verb::get, "/v1/session", [logins](http_request& req) -> awaitable<http_response> {
    if (logins == nullptr || !logins->required()) {
      co_return http_response::json(200,
                                    session_json(security::principal::anonymous(), false, {}, {}));
    }
    auto id = logins->sessions() != nullptr ? cookie_value(req.header("Cookie"), session_cookie)
                                            : std::nullopt;
    auto found = id ? logins->sessions()->find(*id) : std::nullopt;
    if (!found) {
      co_return logged_out(true, logins->sso() != nullptr);
    }
    co_return http_response::json(200,
                                  session_json(found->who, true, found->csrf, found->expires_in));
  });

  r.add_open(verb::post, "/v1/session", [logins](http_request& req) -> awaitable<http_response> {
    if (logins == nullptr || !logins->required() || logins->sessions() == nullptr) {
      co_return error_response(error_codes::bad_request,
                               "Logins are off (security.http_authentication = none): the "
                               "console needs no session");
    }
    // JSON only: a page of another site (or another port of this host, which SameSite
    // counts as the same site) cannot send it without a CORS preflight, so it cannot log
    // the browser into an account of its choosing.
    if (req.media_type() != "application/json") {
      co_return error_response(error_codes::unsupported_media_type,
                               "Send the login as application/json");
    }
    simdjson::dom::parser parser;
    simdjson::dom::object obj;
    std::string_view user;
    std::string_view password;
    if (parser.parse(req.body).get(obj) != simdjson::SUCCESS ||
        obj["user"].get(user) != simdjson::SUCCESS ||
        obj["password"].get(password) != simdjson::SUCCESS) {
      co_return error_response(
          error_codes::bad_request,
          R"(The body must be a JSON object {"user": "...", "password": "..."})");
    }
    if (user.empty() || user.size() > 256 || password.size() > 1024 ||
        user.find(':') != std::string_view::npos) {
      co_return error_response(error_codes::unauthorized, "Invalid user name or password");
    }
    // The credentials' generation before the password is checked: a change that lands
    // between the check and the session's opening ends the session.
    const uint64_t generation = logins->sessions()->current_generation();
    std::string basic = "Basic " + base64_encode(std::string(user) + ":" + std::string(password));
    security::login_attempt from{req.tls ? "https" : "http", req.client_host.substr(1), {}};
    std::string known;
    http_authentication::verdict v =
        co_await logins->authenticate(std::move(basic), std::move(from), std::move(known));
    if (v.limited) {
      auto refused = error_response(error_codes::too_many_logins, v.problem);
      refused.headers.emplace_back("Retry-After", std::to_string(v.retry_after_s));
      co_return refused;
    }
    if (!v.who) {
      auto refused = error_response(error_codes::unauthorized, v.problem);
      refused.headers.emplace_back("WWW-Authenticate", R"(Session realm="brook")");
      co_return refused;
    }
    auto opened = logins->sessions()->open(*v.who, generation);
    if (!opened) {
      co_return error_response(error_codes::unavailable,
                               "Too many console sessions are open: try again later");
    }
    const auto& limits = logins->sessions()->limits();
    auto answer = http_response::json(
        200,
        session_json(*v.who, true, opened->csrf, std::min(limits.idle_timeout, limits.lifetime)));
    answer.headers.emplace_back("Set-Cookie", set_cookie(req, opened->id));
    answer.headers.emplace_back("Cache-Control", "no-store");
    co_return answer;
  });

  r.add_open(verb::delete_, "/v1/session", [logins](http_request& req) -> awaitable<http_response> {
    if (logins != nullptr && logins->sessions() != nullptr) {
      auto s = logins->from_session(req.header("Cookie"), true, req.header(csrf_header));
      if (s && s->forbidden) {
        co_return error_response(error_codes::forbidden, s->problem);
      }
      if (s && s->who) {
        logins->sessions()->close(*cookie_value(req.header("Cookie"), session_cookie));
      }
    }
    auto answer = http_response::no_content();
    answer.headers.emplace_back("Set-Cookie", set_cookie(req, {}));
    co_return answer;
  });

  r.add_open(verb::get, "/v1/session/oidc",
             [logins, &ctx](http_request& req) -> awaitable<http_response> {
               if (logins == nullptr || logins->sso() == nullptr || ctx.blocking == nullptr) {
                 co_return error_response(error_codes::not_found,
                                          "Single sign-on is not configured "
                                          "(oidc.issuer and oidc.console_client_id)");
               }
               security::oidc_login* sso = logins->sso();
               const std::string redirect_uri = std::string(req.scheme()) +
                                                std::string(req.header("Host")) +
                                                std::string(callback_path);
               auto begin = [sso, redirect_uri] { return sso->begin(redirect_uri); };
               auto started = co_await run_blocking(*ctx.blocking, std::move(begin));
               if (!started) {
                 co_return sso_failed(req, "single sign-on is unavailable: " + started.error());
               }
               std::string bind = std::string(sso_cookie) + "=" + started->state +
                                  "; Path=/v1/session/oidc; HttpOnly; SameSite=Lax; Max-Age=600";
               if (req.tls) {
                 bind += "; Secure";
               }
               co_return redirect(started->authorization_url, {bind});
             });

  r.add_open(
      verb::get, "/v1/session/oidc/callback",
      [logins, &ctx](http_request& req) -> awaitable<http_response> {
        if (logins == nullptr || logins->sso() == nullptr || ctx.blocking == nullptr ||
            logins->sessions() == nullptr) {
          co_return error_response(error_codes::not_found,
                                   "Single sign-on is not configured "
                                   "(oidc.issuer and oidc.console_client_id)");
        }
        auto param = [&req](const char* name) {
          auto it = req.query.find(name);
          return it == req.query.end() ? std::string() : it->second;
        };
        security::login_attempt from{req.tls ? "https" : "http", req.client_host.substr(1), "oidc"};
        auto refuse = [&](const std::string& why) {
          if (logins->guard() != nullptr) {
            logins->guard()->failed(from, "", why);
          }
          return sso_failed(req, why);
        };
        if (auto error = param("error"); !error.empty()) {
          const std::string described = param("error_description");
          co_return refuse("the provider refused the login: " + error.substr(0, 100) +
                           (described.empty() ? "" : " (" + described.substr(0, 200) + ")"));
        }
        const std::string state = param("state");
        const std::string code = param("code");
        auto bound = cookie_value(req.header("Cookie"), sso_cookie);
        if (state.empty() || code.empty()) {
          co_return refuse("the provider sent no code and state back");
        }
        if (!bound || !security::equal_constant_time(*bound, state)) {
          co_return refuse("this browser did not start this login: start again");
        }
        security::oidc_login* sso = logins->sso();
        boost::asio::thread_pool* pool = ctx.blocking;
        using outcome = expected<security::principal, std::string>;
        auto start = [sso, pool, state, code](std::function<void(outcome)> done) {
          boost::asio::post(*pool, [sso, state, code, done = std::move(done)]() mutable {
            sso->finish(state, code, std::move(done));
          });
        };
        outcome who = co_await await_callback<outcome>(std::move(start));
        if (!who) {
          co_return refuse(who.error());
        }
        if (logins->guard() != nullptr) {
          logins->guard()->succeeded(from, *who);
        }
        auto opened = logins->sessions()->open(*who);
        if (!opened) {
          co_return sso_failed(req, "too many console sessions are open: try again later");
        }
        std::string clear =
            std::string(sso_cookie) + "=; Path=/v1/session/oidc; HttpOnly; Max-Age=0";
        if (req.tls) {
          clear += "; Secure";
        }
        co_return redirect("/ui", {set_cookie(req, opened->id), clear});
      });

  r.add(verb::post, "/v1/authorize", [&ctx](http_request& req) -> awaitable<http_response> {
    simdjson::dom::parser parser;
    simdjson::dom::array checks;
    if (parser.parse(req.body)["checks"].get(checks) != simdjson::SUCCESS) {
      co_return error_response(
          error_codes::bad_request,
          R"(The body must be {"checks": [{"operation", "resource_type", "resource_name"}]})");
    }
    if (checks.size() > max_checks) {
      co_return error_response(error_codes::bad_request,
                               "At most " + std::to_string(max_checks) + " checks per call");
    }
    using security::acl_operation;
    using security::resource_type;
    json_writer w;
    w.begin_object().key("results").begin_array();
    for (auto check : checks) {
      std::string_view op_text;
      std::string_view type_text;
      std::string_view name = security::cluster_resource_name;
      if (check["operation"].get(op_text) != simdjson::SUCCESS ||
          check["resource_type"].get(type_text) != simdjson::SUCCESS) {
        co_return error_response(error_codes::bad_request,
                                 "Each check needs an operation and a resource_type");
      }
      auto op = enum_named<acl_operation>(
          op_text,
          {acl_operation::all, acl_operation::read, acl_operation::write, acl_operation::create,
           acl_operation::remove, acl_operation::alter, acl_operation::describe,
           acl_operation::cluster_action, acl_operation::describe_configs,
           acl_operation::alter_configs, acl_operation::idempotent_write},
          &security::acl_operation_name);
      auto type =
          enum_named<resource_type>(type_text,
                                    {resource_type::topic, resource_type::group,
                                     resource_type::cluster, resource_type::transactional_id},
                                    &security::resource_type_name);
      if (!op || !type) {
        co_return error_response(
            error_codes::bad_request,
            "Unknown " + std::string(!op ? "operation '" : "resource_type '") +
                std::string((!op ? op_text : type_text).substr(0, 64)) +
                "' (Kafka's names: READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, ...; TOPIC, "
                "GROUP, CLUSTER, TRANSACTIONAL_ID)");
      }
      if (*type != resource_type::cluster &&
          check["resource_name"].get(name) != simdjson::SUCCESS) {
        co_return error_response(error_codes::bad_request,
                                 "A check of a topic, group or transactional id needs its "
                                 "resource_name (\"*\": any)");
      }
      const bool allowed =
          name == "*" ? ctx.authorizer.permits_any(req.principal, req.client_host, *op, *type)
                      : ctx.authorizer.permits(req.principal, req.client_host, *op,
                                               security::acl_resource{*type, name});
      w.begin_object().key("operation").value(security::acl_operation_name(*op));
      w.key("resource_type").value(security::resource_type_name(*type));
      w.key("resource_name").value(name).key("allowed").value(allowed).end_object();
    }
    w.end_array().end_object();
    co_return http_response::json(200, w.take());
  });
}

}  // namespace brook::http::rest
