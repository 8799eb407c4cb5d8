#include "app/cli/kafka_cluster.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "app/cli/kafka_error_text.h"
#include "protocol/kafka_error.h"
#include "protocol/messages/find_coordinator.h"

namespace brook::app {

namespace P = protocol;

kafka_cluster::kafka_cluster(std::string bootstrap, kafka_client::options options)
    : _bootstrap(std::move(bootstrap)), _options(std::move(options)) {}

outcome<kafka_client*> kafka_cluster::connect_to(const std::string& address) {
  if (auto it = _clients.find(address); it != _clients.end()) {
    return it->second.get();
  }
  auto c = kafka_client::connect(address, _options);
  if (!c) {
    return failure{fmt::format("cannot connect to {}: {}", address, c.error().message())};
  }
  auto [it, inserted] = _clients.emplace(address, std::make_unique<kafka_client>(std::move(*c)));
  return it->second.get();
}

kafka_cluster kafka_cluster::with_login(std::string bootstrap, int64_t timeout_ms,
                                        const kafka_login& login) {
  kafka_client::options options;
  options.timeout = std::chrono::milliseconds(timeout_ms);
  apply_login(login, options);
  return kafka_cluster(std::move(bootstrap), options);
}

outcome<const P::metadata_response*> kafka_cluster::metadata(
    const std::vector<std::string>& topics) {
  return ask_metadata(topics);
}

outcome<const P::metadata_response*> kafka_cluster::all_topics() {
  return ask_metadata(std::nullopt);
}

outcome<kafka_client*> kafka_cluster::controller() {
  auto md = ask_metadata(std::vector<std::string>{});
  if (!md) {
    return failure{md.error()};
  }
  auto it = _brokers.find((*md)->controller_id);
  if (it == _brokers.end()) {
    return bootstrap();  // no controller named (Metadata v0): the broker we know
  }
  return connect_to(it->second);
}

outcome<const P::metadata_response*> kafka_cluster::ask_metadata(
    const std::optional<std::vector<std::string>>& topics) {
  auto b = bootstrap();
  if (!b) {
    return failure{b.error()};
  }
  kafka_client& c = **b;
  int16_t v = c.version_for<P::metadata_request>();
  if (v < 1) {
    return unsupported(c, "Metadata");
  }
  P::metadata_request request;
  if (topics) {
    request.topics.emplace();
    for (const auto& t : *topics) {
      request.topics->emplace_back().name = t;
    }
  } else {
    request.topics.reset();  // all topics
  }
  request.allow_auto_topic_creation = false;
  auto r = c.call<P::metadata_response>(request, v);
  if (!r) {
    return request_failed(c, "Metadata", r.error());
  }
  for (const auto& broker : r->brokers) {
    _brokers[broker.node_id] = format_address(broker.host, broker.port);
  }
  for (const auto& t : r->topics) {
    for (const auto& p : t.partitions) {
      _leaders[{t.name.value_or(""), p.partition_index}] = p.leader_id;
    }
  }
  _metadata = std::move(*r);
  return &_metadata;
}

std::vector<std::string> kafka_cluster::broker_addresses() const {
  std::vector<std::string> out;
  for (const auto& [id, address] : _brokers) {
    out.push_back(address);
  }
  return out;
}

outcome<kafka_client*> kafka_cluster::leader(const topic_partition& p) {
  auto it = _leaders.find(p);
  if (it == _leaders.end() || it->second < 0) {
    return failure{fmt::format("{}-{}: no leader", p.first, p.second)};
  }
  auto address = _brokers.find(it->second);
  if (address == _brokers.end()) {
    return failure{
        fmt::format("{}-{}: leader {} is not a known broker", p.first, p.second, it->second)};
  }
  return connect_to(address->second);
}

outcome<kafka_client*> kafka_cluster::coordinator(const std::string& group) {
  if (auto it = _coordinators.find(group); it != _coordinators.end()) {
    return connect_to(it->second);
  }
  auto b = bootstrap();
  if (!b) {
    return failure{b.error()};
  }
  kafka_client& c = **b;
  int16_t v = c.version_for<P::find_coordinator_request>();
  if (v < 0) {
    return unsupported(c, "FindCoordinator");
  }
  P::find_coordinator_request request;
  request.key_type = 0;  // a group
  if (v >= 4) {
    request.coordinator_keys = {group};
  } else {
    request.key = group;
  }
  // A coordinator still loading its groups answers COORDINATOR_NOT_AVAILABLE or
  // COORDINATOR_LOAD_IN_PROGRESS for a moment: ask again until the timeout.
  auto deadline = std::chrono::steady_clock::now() + _options.timeout;
  for (;;) {
    auto r = c.call<P::find_coordinator_response>(request, v);
    if (!r) {
      return request_failed(c, "FindCoordinator", r.error());
    }
    int16_t error = r->error_code;
    std::string host = r->host;
    int32_t port = r->port;
    if (v >= 4) {
      if (r->coordinators.empty()) {
        return failure{fmt::format("{}: FindCoordinator answered no coordinator", c.address())};
      }
      error = r->coordinators[0].error_code;
      host = r->coordinators[0].host;
      port = r->coordinators[0].port;
    }
    bool retriable = error == P::code(P::kafka_error::coordinator_not_available) ||
                     error == P::code(P::kafka_error::coordinator_load_in_progress);
    if (retriable && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // retry backoff
      continue;
    }
    if (error != 0) {
      return failure{fmt::format("finding the coordinator of group {}: {}", group, explain(error))};
    }
    std::string address = format_address(host, port);
    _coordinators[group] = address;
    return connect_to(address);
  }
}

failure kafka_cluster::unsupported(const kafka_client& c, std::string_view api) {
  return failure{
      fmt::format("{}: the broker supports no version of {} this tool speaks", c.address(), api)};
}

failure kafka_cluster::request_failed(const kafka_client& c, std::string_view api,
                                      std::error_code ec) {
  return failure{fmt::format("{}: {} failed: {}", c.address(), api, ec.message())};
}

std::string format_address(const std::string& host, int32_t port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

}  // namespace brook::app
