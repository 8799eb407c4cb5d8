// v3 (application/json): clusters, brokers, topics (list, get, create, delete), topic
// configs (list, get, set, reset, alter in batch) and partitions, in Confluent's resource
// shapes ("kind", "metadata", related links). There is one cluster, the backend's.
#include <charconv>

#include "http/rest/json_input.h"
#include "http/rest/rest_api.h"
#include "http/rest/rest_response.h"
#include "http/rest/v3_links.h"

namespace brook::http::rest {

namespace {

using boost::asio::awaitable;
using boost::beast::http::verb;

http_response ok(json_writer& w, unsigned status = 200) {
  return http_response::json(status, w.take(), v3_content_type);
}

// The cluster of the path, or the 404 answer.
awaitable<std::optional<http_response>> check_cluster(rest_context& ctx, http_request& req,
                                                      backend::cluster_info& out) {
  auto c = co_await ctx.calls.cluster();
  if (!c) {
    co_return error_response(from_backend(c.error()));
  }
  out = std::move(*c);
  if (req.param("cluster_id") != out.cluster_id) {
    co_return error_response(error_codes::not_found,
                             "Cluster " + req.param("cluster_id") + " cannot be found.");
  }
  co_return std::nullopt;
}

void write_cluster(json_writer& w, const v3_links& l, const backend::cluster_info& c) {
  w.begin_object().key("kind").value("KafkaCluster");
  l.metadata(w, "", "");
  w.key("cluster_id").value(c.cluster_id);
  l.related(w, "controller", "/brokers/" + std::to_string(c.controller_id));
  l.related(w, "acls", "/acls");
  l.related(w, "brokers", "/brokers");
  l.related(w, "broker_configs", "/broker-configs");
  l.related(w, "consumer_groups", "/consumer-groups");
  l.related(w, "topics", "/topics");
  l.related(w, "partition_reassignments", "/topics/-/partitions/-/reassignment");
  w.end_object();
}

void write_broker(json_writer& w, const v3_links& l, const backend::broker_info& b) {
  auto path = "/brokers/" + std::to_string(b.id);
  w.begin_object().key("kind").value("KafkaBroker");
  l.metadata(w, path, "/broker=" + std::to_string(b.id));
  w.key("cluster_id").value(l.cluster_id()).key("broker_id").value(b.id);
  w.key("host").value(b.host).key("port").value(b.port).key("rack").null();
  l.related(w, "configs", path + "/configs");
  l.related(w, "partition_replicas", path + "/partition-replicas");
  w.end_object();
}

void write_topic(json_writer& w, const v3_links& l, const backend::topic_info& t) {
  auto path = "/topics/" + t.name;
  w.begin_object().key("kind").value("KafkaTopic");
  l.metadata(w, path, "/topic=" + t.name);
  w.key("cluster_id").value(l.cluster_id()).key("topic_name").value(t.name);
  w.key("is_internal").value(t.internal);
  w.key("replication_factor").value(static_cast<int64_t>(t.replication_factor));
  w.key("partitions_count").value(static_cast<int64_t>(t.partitions.size()));
  l.related(w, "partitions", path + "/partitions");
  l.related(w, "configs", path + "/configs");
  l.related(w, "partition_reassignments", path + "/partitions/-/reassignment");
  w.key("authorized_operations").begin_array().end_array();
  w.end_object();
}

void write_config(json_writer& w, const v3_links& l, const std::string& topic,
                  const backend::config_entry& c) {
  auto path = "/topics/" + topic + "/configs/" + c.name;
  w.begin_object().key("kind").value("KafkaTopicConfig");
  l.metadata(w, path, "/topic=" + topic + "/config=" + c.name);
  w.key("cluster_id").value(l.cluster_id()).key("topic_name").value(topic);
  w.key("name").value(c.name).key("value");
  if (c.value) {
    w.value(*c.value);
  } else {
    w.null();
  }
  w.key("is_default").value(c.is_default).key("is_read_only").value(c.read_only);
  w.key("is_sensitive").value(c.sensitive).key("source").value(c.source);
  w.key("synonyms").begin_array().end_array();
  w.end_object();
}

void write_partition(json_writer& w, const v3_links& l, const std::string& topic,
                     const backend::partition_info& p) {
  auto path = "/topics/" + topic + "/partitions/" + std::to_string(p.id);
  w.begin_object().key("kind").value("KafkaPartition");
  l.metadata(w, path, "/topic=" + topic + "/partition=" + std::to_string(p.id));
  w.key("cluster_id").value(l.cluster_id()).key("topic_name").value(topic);
  w.key("partition_id").value(p.id);
  l.related(w, "leader", path + "/replicas/" + std::to_string(p.leader));
  l.related(w, "replicas", path + "/replicas");
  l.related(w, "reassignment", path + "/reassignment");
  w.end_object();
}

// Parses a JSON object body; the error answer when it is not one.
struct object_body {
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  std::optional<http_response> error;
};

thread_local simdjson::ondemand::parser body_parser;

void parse_object(std::string& body, object_body& out) {
  if (!is_valid_json(body)) {
    out.error = error_response(error_codes::bad_request, "malformed JSON");
    return;
  }
  if (body_parser.iterate(padded(body)).get(out.doc) || out.doc.get_object().get(out.obj)) {
    out.error = error_response(error_codes::unprocessable_entity, "expected a JSON object");
  }
}

bool is_json_media(http_request& req) {
  auto m = req.media_type();
  return m.empty() || m == "application/json";
}

http_response media_error() {
  return error_response(error_codes::unsupported_media_type,
                        "HTTP 415 Unsupported Media Type: use application/json");
}

// The start of every v3 route that takes a body: the cluster of the path, a JSON content
// type, and the body as a JSON object. The error answer when one of them fails.
awaitable<std::optional<http_response>> read_object_request(rest_context& ctx, http_request& req,
                                                            backend::cluster_info& c,
                                                            object_body& b) {
  if (auto e = co_await check_cluster(ctx, req, c)) {
    co_return e;
  }
  if (!is_json_media(req)) {
    co_return media_error();
  }
  parse_object(req.body, b);
  co_return std::move(b.error);
}

awaitable<http_response> create_topic(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  backend::cluster_info c;
  object_body b;
  if (auto e = co_await read_object_request(ctx, req, c, b)) {
    co_return std::move(*e);
  }
  backend::new_topic t;
  for (auto field : b.obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      co_return error_response(error_codes::bad_request, "malformed JSON");
    }
    auto v = field.value();
    if (key == "topic_name") {
      std::string_view s;
      if (v.get_string().get(s)) {
        co_return error_response(error_codes::unprocessable_entity, "topic_name must be a string");
      }
      t.name = std::string(s);
    } else if (key == "partitions_count") {
      int64_t n = 0;
      if (v.get_int64().get(n) || n < 1 || n > INT32_MAX) {
        co_return error_response(error_codes::unprocessable_entity,
                                 "partitions_count must be a positive integer");
      }
      t.partitions = static_cast<int32_t>(n);
    } else if (key == "replication_factor") {
      int64_t n = 0;
      if (v.get_int64().get(n) || n < 1 || n > INT16_MAX) {
        co_return error_response(error_codes::unprocessable_entity,
                                 "replication_factor must be a positive integer");
      }
      t.replication_factor = static_cast<int16_t>(n);
    } else if (key == "validate_only") {
      bool flag = false;
      if (v.get_bool().get(flag)) {
        co_return error_response(error_codes::unprocessable_entity,
                                 "validate_only must be true or false");
      }
      t.validate_only = flag;
    } else if (key == "configs") {
      simdjson::ondemand::array arr;
      if (v.get_array().get(arr)) {
        co_return error_response(error_codes::unprocessable_entity, "configs must be an array");
      }
      for (auto item : arr) {
        std::string_view name;
        std::string_view value;
        simdjson::ondemand::object o;
        if (item.get_object().get(o) || o["name"].get_string().get(name) ||
            o["value"].get_string().get(value)) {
          co_return error_response(error_codes::unprocessable_entity,
                                   "each config must be {\"name\": string, \"value\": string}");
        }
        t.configs[std::string(name)] = std::string(value);
      }
    }
  }
  if (t.name.empty()) {
    co_return error_response(error_codes::unprocessable_entity, "topic_name is required");
  }
  auto created = co_await view.calls.create_topic(t);
  if (!created) {
    co_return error_response(from_backend(created.error()));
  }
  v3_links l(req, c.cluster_id);
  json_writer w;
  write_topic(w, l, *created);
  co_return ok(w, t.validate_only ? 200 : 201);
}

awaitable<http_response> alter_configs(rest_context& ctx, http_request& req) {
  request_backend view(ctx, req);
  backend::cluster_info c;
  object_body b;
  if (auto e = co_await read_object_request(ctx, req, c, b)) {
    co_return std::move(*e);
  }
  std::vector<backend::config_change> changes;
  bool validate_only = false;
  for (auto field : b.obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) {
      co_return error_response(error_codes::bad_request, "malformed JSON");
    }
    if (key == "validate_only") {
      if (field.value().get_bool().get(validate_only)) {
        co_return error_response(error_codes::unprocessable_entity,
                                 "validate_only must be true or false");
      }
    } else if (key == "data") {
      simdjson::ondemand::array arr;
      if (field.value().get_array().get(arr)) {
        co_return error_response(error_codes::unprocessable_entity, "data must be an array");
      }
      for (auto item : arr) {
        simdjson::ondemand::object o;
        if (item.get_object().get(o)) {
          co_return error_response(error_codes::unprocessable_entity,
                                   "each entry of data must be an object");
        }
        backend::config_change ch;
        std::string op = "SET";
        std::optional<std::string> value;
        for (auto f : o) {
          std::string_view k;
          std::string_view s;
          if (f.unescaped_key().get(k) || f.value().get_string().get(s)) {
            co_return error_response(error_codes::unprocessable_entity,
                                     "name, value and operation must be strings");
          }
          if (k == "name") {
            ch.name = std::string(s);
          } else if (k == "value") {
            value = std::string(s);
          } else if (k == "operation") {
            op = std::string(s);
          }
        }
        if (ch.name.empty() || (op != "SET" && op != "DELETE") || (op == "SET" && !value)) {
          co_return error_response(error_codes::unprocessable_entity,
                                   "each entry needs a name, an operation SET (with a value) or "
                                   "DELETE");
        }
        if (op == "SET") {
          ch.value = std::move(value);
        }
        changes.push_back(std::move(ch));
      }
    }
  }
  auto st =
      co_await view.calls.alter_topic_configs(req.param("topic_name"), changes, validate_only);
  if (!st) {
    co_return error_response(from_backend(st.error()));
  }
  co_return http_response::no_content();
}

awaitable<http_response> set_config(rest_context& ctx, http_request& req, bool reset) {
  request_backend view(ctx, req);
  backend::cluster_info c;
  backend::config_change ch{req.param("name"), std::nullopt};
  if (reset) {
    if (auto e = co_await check_cluster(ctx, req, c)) {
      co_return std::move(*e);
    }
  } else {
    object_body b;
    if (auto e = co_await read_object_request(ctx, req, c, b)) {
      co_return std::move(*e);
    }
    std::string_view value;
    if (b.obj["value"].get_string().get(value)) {
      co_return error_response(error_codes::unprocessable_entity, "expected {\"value\": string}");
    }
    ch.value = std::string(value);
  }
  std::vector<backend::config_change> changes{std::move(ch)};
  auto st = co_await view.calls.alter_topic_configs(req.param("topic_name"), changes, false);
  if (!st) {
    co_return error_response(from_backend(st.error()));
  }
  co_return http_response::no_content();
}

}  // namespace

void add_v3_routes(router& r, rest_context& ctx) {
  r.add(verb::get, "/v3/clusters", [&ctx](http_request& req) -> awaitable<http_response> {
    auto c = co_await ctx.calls.cluster();
    if (!c) {
      co_return error_response(from_backend(c.error()));
    }
    v3_links l(req, c->cluster_id);
    json_writer w;
    w.begin_object().key("kind").value("KafkaClusterList");
    w.key("metadata").begin_object().key("self").value(l.url().substr(0, l.url().rfind('/')));
    w.key("next").null().end_object();
    w.key("data").begin_array();
    write_cluster(w, l, *c);
    w.end_array().end_object();
    co_return ok(w);
  });
  r.add(verb::get, "/v3/clusters/{cluster_id}",
        [&ctx](http_request& req) -> awaitable<http_response> {
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          json_writer w;
          write_cluster(w, v3_links(req, c.cluster_id), c);
          co_return ok(w);
        });
  r.add(verb::get, "/v3/clusters/{cluster_id}/brokers",
        [&ctx](http_request& req) -> awaitable<http_response> {
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          v3_links l(req, c.cluster_id);
          json_writer w;
          w.begin_object().key("kind").value("KafkaBrokerList");
          l.list_metadata(w, "/brokers");
          w.key("data").begin_array();
          for (const auto& b : c.brokers) {
            write_broker(w, l, b);
          }
          w.end_array().end_object();
          co_return ok(w);
        });
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          auto topics = co_await view.calls.list_topics();
          if (!topics) {
            co_return error_response(from_backend(topics.error()));
          }
          v3_links l(req, c.cluster_id);
          json_writer w;
          w.begin_object().key("kind").value("KafkaTopicList");
          l.list_metadata(w, "/topics");
          w.key("data").begin_array();
          for (const auto& t : *topics) {
            write_topic(w, l, t);
          }
          w.end_array().end_object();
          co_return ok(w);
        });
  r.add(verb::post, "/v3/clusters/{cluster_id}/topics",
        [&ctx](http_request& req) { return create_topic(ctx, req); });
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          auto t = co_await view.calls.describe_topic(req.param("topic_name"));
          if (!t) {
            co_return error_response(from_backend(t.error()));
          }
          json_writer w;
          write_topic(w, v3_links(req, c.cluster_id), *t);
          co_return ok(w);
        });
  r.add(verb::delete_, "/v3/clusters/{cluster_id}/topics/{topic_name}",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          auto st = co_await view.calls.delete_topic(req.param("topic_name"));
          if (!st) {
            co_return error_response(from_backend(st.error()));
          }
          co_return http_response::no_content();
        });
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          const auto& topic = req.param("topic_name");
          auto configs = co_await view.calls.topic_configs(topic);
          if (!configs) {
            co_return error_response(from_backend(configs.error()));
          }
          v3_links l(req, c.cluster_id);
          json_writer w;
          w.begin_object().key("kind").value("KafkaTopicConfigList");
          l.list_metadata(w, "/topics/" + topic + "/configs");
          w.key("data").begin_array();
          for (const auto& entry : *configs) {
            write_config(w, l, topic, entry);
          }
          w.end_array().end_object();
          co_return ok(w);
        });
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          const auto& topic = req.param("topic_name");
          auto configs = co_await view.calls.topic_configs(topic);
          if (!configs) {
            co_return error_response(from_backend(configs.error()));
          }
          for (const auto& entry : *configs) {
            if (entry.name == req.param("name")) {
              json_writer w;
              write_config(w, v3_links(req, c.cluster_id), topic, entry);
              co_return ok(w);
            }
          }
          co_return error_response(error_codes::not_found,
                                   "Config " + req.param("name") + " cannot be found.");
        });
  r.add(verb::put, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}",
        [&ctx](http_request& req) { return set_config(ctx, req, false); });
  r.add(verb::delete_, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}",
        [&ctx](http_request& req) { return set_config(ctx, req, true); });
  r.add(verb::post, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs:alter",
        [&ctx](http_request& req) { return alter_configs(ctx, req); });
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}/partitions",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          auto t = co_await view.calls.describe_topic(req.param("topic_name"));
          if (!t) {
            co_return error_response(from_backend(t.error()));
          }
          v3_links l(req, c.cluster_id);
          json_writer w;
          w.begin_object().key("kind").value("KafkaPartitionList");
          l.list_metadata(w, "/topics/" + t->name + "/partitions");
          w.key("data").begin_array();
          for (const auto& p : t->partitions) {
            write_partition(w, l, t->name, p);
          }
          w.end_array().end_object();
          co_return ok(w);
        });
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}/partitions/{partition_id}",
        [&ctx](http_request& req) -> awaitable<http_response> {
          request_backend view(ctx, req);
          backend::cluster_info c;
          if (auto e = co_await check_cluster(ctx, req, c)) {
            co_return std::move(*e);
          }
          auto t = co_await view.calls.describe_topic(req.param("topic_name"));
          if (!t) {
            co_return error_response(from_backend(t.error()));
          }
          const auto& text = req.param("partition_id");
          int32_t p = -1;
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
          if (ec != std::errc{} || end != text.data() + text.size() || p < 0 ||
              p >= static_cast<int32_t>(t->partitions.size())) {
            co_return error_response(error_codes::partition_not_found, "Partition not found.");
          }
          json_writer w;
          write_partition(w, v3_links(req, c.cluster_id), t->name,
                          t->partitions[static_cast<size_t>(p)]);
          co_return ok(w);
        });
}

}  // namespace brook::http::rest
