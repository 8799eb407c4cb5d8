#include "app/server_metrics.h"

#include "base/process_metrics.h"
#include "broker/broker.h"
#include "broker/broker_metrics.h"
#include "broker/server.h"
#include "connect/connect_runtime.h"
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

void write_connectors(metrics_writer& w, const connect::connect_runtime& rt) {
  const auto all = rt.statuses();
  auto each = [&](const char* name, const char* help, auto value) {
    w.counter(name, help);
    for (const auto& s : all) {
      w.value({{"connector", s.name}}, value(s.task));
    }
  };
  each("brook_connector_records_written", "Records a connector handed to its destination.",
       [](const connect::worker_status& t) { return t.records_written; });
  each("brook_connector_records_rejected",
       "Records a connector could not convert (skipped or dead-lettered, errors.tolerance all).",
       [](const connect::worker_status& t) { return t.records_rejected; });
  each("brook_connector_records_dead_lettered",
       "Rejected records written to the connector's dead-letter topic.",
       [](const connect::worker_status& t) { return t.records_dead_lettered; });
  each("brook_connector_flushes", "Flushes (data made durable, then offsets committed).",
       [](const connect::worker_status& t) { return t.flushes; });
  each("brook_connector_retries", "Destination errors the connector retried after.",
       [](const connect::worker_status& t) { return t.retries; });
  w.gauge("brook_connector_state",
          "1 for the state the connector's task is in (RUNNING, PAUSED, FAILED, UNASSIGNED).");
  for (const auto& s : all) {
    w.value({{"connector", s.name}, {"state", std::string(connect::task_state_name(s.task.state))}},
            int64_t{1});
  }
}

}  // namespace

metrics_registry::registration add_server_metrics(
    metrics_registry& registry, broker::broker& b,
    const std::vector<std::unique_ptr<broker::server>>& kafka,
    const std::unique_ptr<http::rest_service>& rest, const security::audit_log* audit,
    const connect::connect_runtime* connectors) {
  return registry.add([&b, &kafka, &rest, audit, connectors](metrics_writer& w) {
    write_process_metrics(w);
    write_connections(w, kafka, rest);
    broker::write_broker_metrics(b, w);
    if (rest) {
      rest->server().metrics().write(w);
    }
    if (audit != nullptr) {
      write_audit(w, *audit);
    }
    if (connectors != nullptr) {
      write_connectors(w, *connectors);
    }
  });
}

}  // namespace brook::app
