// server_metrics: what `brook serve` puts in its metrics registry, in one collector: the
// process (CPU, memory, descriptors), the connections of every listener (Kafka ones by
// their names, HTTP as "http"), the broker (broker/broker_metrics.h), the HTTP routes, the
// audit log's own counters and the connectors'. app/ is where the parts meet, so the one place that
// knows them all.
#pragma once

#include <memory>
#include <vector>

#include "base/metrics_registry.h"

namespace brook::broker {
class broker;
class server;
}  // namespace brook::broker
namespace brook::http {
class rest_service;
}
namespace brook::security {
class audit_log;
}
namespace brook::connect {
class connect_runtime;
}

namespace brook::app {

// The collector reads `kafka`, `rest` (either may be empty), `audit` and `connectors`
// (either may be null) when scraped: they must outlive the registration, or `rest` be
// reset only after it.
[[nodiscard]] metrics_registry::registration add_server_metrics(
    metrics_registry& registry, broker::broker& b,
    const std::vector<std::unique_ptr<broker::server>>& kafka,
    const std::unique_ptr<http::rest_service>& rest, const security::audit_log* audit,
    const connect::connect_runtime* connectors);

}  // namespace brook::app
