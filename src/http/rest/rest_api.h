// The REST Proxy's routes, added to the router by area. Each add_* lives in the file of
// the same area (v2_topic_routes.cc, v2_produce_routes.cc, v2_consumer_routes.cc,
// v3_routes.cc, v3_produce_route.cc, v1_group_routes.cc, v1_agent_routes.cc, metrics_route.cc,
// system_routes.cc, connect_routes.cc).
#pragma once

#include "http/rest/rest_context.h"
#include "http/router.h"

namespace brook::http::rest {

void add_system_routes(router& r, rest_context& ctx);
void add_v2_topic_routes(router& r, rest_context& ctx);
void add_v2_produce_routes(router& r, rest_context& ctx);
void add_v2_consumer_routes(router& r, rest_context& ctx);
void add_v3_routes(router& r, rest_context& ctx);
void add_v3_produce_route(router& r, rest_context& ctx);
void add_v1_group_routes(router& r, rest_context& ctx);
void add_v1_record_routes(router& r, rest_context& ctx);
// The web console's page and bundles at /ui (open), and GET / redirecting to it.
void add_console_routes(router& r);
// GET /v1/topics/{topic}/live: new records as Server-Sent Events.
void add_v1_live_route(router& r, rest_context& ctx);
// GET /v1/topics/{topic}/chart: records over time, aggregated on the server.
void add_v1_chart_route(router& r, rest_context& ctx);
// GET /v1/overview and GET /v1/topics over ctx.overview.
void add_v1_overview_routes(router& r, rest_context& ctx);
// Console sessions (POST/GET/DELETE /v1/session) and POST /v1/authorize.
void add_v1_session_routes(router& r, rest_context& ctx);
// The agent registry's API over ctx.agents (nothing when null).
void add_v1_agent_routes(router& r, rest_context& ctx);
// Kafka Connect's REST API over ctx.connectors (nothing when null).
void add_connect_routes(router& r, rest_context& ctx);
// GET /metrics over `metrics` (both outlive the router), asking `authorizer`.
void add_metrics_route(router& r, const security::authorizer& authorizer,
                       const metrics_registry& metrics);

// All of the above.
inline void add_rest_routes(router& r, rest_context& ctx) {
  add_system_routes(r, ctx);
  add_v2_topic_routes(r, ctx);
  add_v2_produce_routes(r, ctx);
  add_v2_consumer_routes(r, ctx);
  add_v3_routes(r, ctx);
  add_v3_produce_route(r, ctx);
  add_v1_group_routes(r, ctx);
  add_v1_record_routes(r, ctx);
  add_v1_session_routes(r, ctx);
  add_v1_overview_routes(r, ctx);
  add_v1_live_route(r, ctx);
  add_v1_chart_route(r, ctx);
  add_console_routes(r);
  add_v1_agent_routes(r, ctx);
  add_connect_routes(r, ctx);
  if (ctx.metrics != nullptr) {
    add_metrics_route(r, ctx.authorizer, *ctx.metrics);
  }
}

}  // namespace brook::http::rest
