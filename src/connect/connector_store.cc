#include "connect/connector_store.h"

#include <future>

#include <simdjson.h>

#include "backend/backend_wait.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "protocol/kafka_error.h"

namespace brook::connect {

using backend::wait_for;
using backend::wait_for_produce;

namespace {

using backend::outcome;

constexpr size_t read_bytes = size_t{1} << 20;

}  // namespace

std::string connector_store::encode(const connector_record& r) {
  json_writer w;
  w.begin_object().key("config").begin_object();
  for (const auto& [k, v] : r.config) {
    w.key(k).value(v);
  }
  w.end_object().key("paused").value(r.paused).end_object();
  return w.take();
}

bool connector_store::decode(std::string_view value, connector_record& r) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object config;
  if (parser.parse(value.data(), value.size(), true).get(root) != simdjson::SUCCESS ||
      root["config"].get(config) != simdjson::SUCCESS) {
    return false;
  }
  r.config.clear();
  for (auto [k, v] : config) {
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) {
      return false;
    }
    r.config[std::string(k)] = std::string(s);
  }
  bool paused = false;
  r.paused = root["paused"].get(paused) == simdjson::SUCCESS && paused;
  return true;
}

outcome<void> connector_store::create_topic() {
  if (_topic_exists) {
    return {};
  }
  backend::new_topic t;
  t.name = _topic;
  t.partitions = 1;
  t.configs = {{"cleanup.policy", "compact"}};
  auto made = wait_for<backend::topic_info>(
      [this, &t](auto done) { _events.create_topic(t, std::move(done)); });
  if (!made && made.error().code != protocol::kafka_error::topic_already_exists) {
    return std::move(made).error();
  }
  _topic_exists = true;
  return {};
}

outcome<std::map<std::string, connector_record>> connector_store::load() {
  std::map<std::string, connector_record> out;
  auto range = wait_for<backend::partition_offsets>(
      [this](auto done) { _events.offsets(_topic, 0, std::move(done)); });
  if (!range && range.error().code == protocol::kafka_error::unknown_topic_or_partition) {
    return out;  // no connector was ever defined: the topic comes with the first
  }
  if (!range) {
    return std::move(range).error();
  }
  _topic_exists = true;
  int64_t next = range->beginning;
  while (next < range->end) {
    backend::fetch_request request;
    request.topic = _topic;
    request.partition = 0;
    request.offset = next;
    request.max_bytes = read_bytes;
    auto got = wait_for<std::vector<backend::fetched_record>>(
        [this, &request](auto done) { _events.fetch(request, std::move(done)); });
    if (!got) {
      return std::move(got).error();
    }
    if (got->empty()) {
      break;  // the end moved back (records deleted meanwhile)
    }
    for (const auto& rec : *got) {
      next = rec.offset + 1;
      if (!rec.key) {
        continue;
      }
      if (!rec.value) {
        out.erase(*rec.key);
        continue;
      }
      connector_record r;
      r.name = *rec.key;
      if (!decode(*rec.value, r)) {
        log::warn("connect: record {} of {} is not a connector definition: skipped", rec.offset,
                  _topic);
        continue;
      }
      out[r.name] = std::move(r);
    }
  }
  return out;
}

outcome<void> connector_store::append(const std::string& name, std::optional<std::string> value) {
  if (auto made = create_topic(); !made) {
    return made;
  }
  std::vector<backend::produce_record> records(1);
  records[0].key = name;
  records[0].value = std::move(value);
  records[0].partition = 0;
  auto results = wait_for_produce(_events, _topic, std::move(records));
  if (results.empty()) {
    return protocol::kafka_failure{protocol::kafka_error::unknown_server_error,
                                   "no answer from the backend"};
  }
  if (results[0].error) {
    return *results[0].error;
  }
  return {};
}

outcome<void> connector_store::save(const connector_record& r) {
  return append(r.name, encode(r));
}

outcome<void> connector_store::remove(const std::string& name) {
  return append(name, std::nullopt);
}

}  // namespace brook::connect
