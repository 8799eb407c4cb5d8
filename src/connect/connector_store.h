// connector_store: connector definitions kept in a compacted topic of the event backend
// (connect.topic, _brook_connectors by default), as Kafka Connect keeps its configurations
// in connect-configs: one record per change, keyed by the connector's name, its value
// {"config":{...},"paused":bool} (doc/formats/connectors-topic.md), a tombstone (null
// value) when deleted. Over the backend, so it works in gateway mode too. Calls block:
// the connect runtime makes them from its own thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "backend/event_backend.h"
#include "connect/connector_config.h"

namespace brook::connect {

struct connector_record {
  std::string name;
  connector_config::values config;
  bool paused = false;
};

class connector_store {
 public:
  connector_store(backend::event_backend& events, std::string topic)
      : _events(events), _topic(std::move(topic)) {}

  // Reads every definition in the topic, by name (none when the topic does not exist: it
  // is created, one partition with cleanup.policy compact, with the first definition).
  backend::outcome<std::map<std::string, connector_record>> load();
  // Appends the definition, answered once durable.
  backend::outcome<void> save(const connector_record& r);
  // Appends the connector's tombstone.
  backend::outcome<void> remove(const std::string& name);

  const std::string& topic() const { return _topic; }

  // The record value of `r`, and back (false for a value that is not one).
  static std::string encode(const connector_record& r);
  static bool decode(std::string_view value, connector_record& r);

 private:
  backend::outcome<void> append(const std::string& name, std::optional<std::string> value);
  backend::outcome<void> create_topic();

  backend::event_backend& _events;
  std::string _topic;
  bool _topic_exists = false;
};

}  // namespace brook::connect
