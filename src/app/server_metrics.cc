#include "app/server_metrics.h"

#include "base/process_metrics.h"
#include "broker/broker.h"
#include "broker/broker_metrics.h"
#include "broker/server.h"
#include "http/rest_service.h"
#include "security/audit_log.h"

namespace brook::app {

namespace {

void write_connections(metrics_writer& w, const std::vector<std::unique_ptr<broker::server>>& kafka,
                       const std::unique_ptr<http::rest_service>& rest) {
  auto each = [&](auto value) {
    for (const auto& s : kafka) {
      w.value({{"listener", s->config().name}}, value(s->connections()));
    }
    if (rest) {
      w.value({{"listener", "http"}}, value(rest->server().connections()));
    }
  };
  w.gauge("brook_connections_open", "Open connections, by listener.");
  each([](const net::tcp_listener& l) { return static_cast<uint64_t>(l.open_connections()); });
  w.counter("brook_connections_accepted", "Connections accepted, by listener.");
  each([](const net::tcp_listener& l) { return l.accepted_connections(); });
  w.counter("brook_connections_refused",
            "Connections refused by the connection limits (max_connections, "
            "max_connections_per_ip), by listener.");
  each([](const net::tcp_listener& l) { return l.refused_connections(); });
  w.counter("brook_connections_closed", "Connections closed, by listener.");
  each([](const net::tcp_listener& l) {
    const uint64_t open = l.open_connections();
    const uint64_t accepted = l.accepted_connections();
    return accepted > open ? accepted - open : 0;
  });
}

void write_audit(metrics_writer& w, const security::audit_log& audit) {
  const auto c = audit.current();
  w.counter("brook_audit_records",
            "Audit records, by outcome: published to the audit topic, failed to publish, or "
            "dropped because too many were waiting.");
  w.value({{"outcome", "published"}}, c.published);
  w.value({{"outcome", "failed"}}, c.failed);
  w.value({{"outcome", "dropped"}}, c.dropped);
}

}  // namespace

metrics_registry::registration add_server_metrics(
    metrics_registry& registry, broker::broker& b,
    const std::vector<std::unique_ptr<broker::server>>& kafka,
    const std::unique_ptr<http::rest_service>& rest, const security::audit_log* audit) {
  return registry.add([&b, &kafka, &rest, audit](metrics_writer& w) {
    write_process_metrics(w);
    write_connections(w, kafka, rest);
    broker::write_broker_metrics(b, w);
    if (rest) {
      rest->server().metrics().write(w);
    }
    if (audit != nullptr) {
      write_audit(w, *audit);
    }
  });
}

}  // namespace brook::app
