#include "backend/authorizing_backend.h"

#include <algorithm>
#include <utility>

#include "backend/authorizing_session.h"

namespace brook::backend {

using protocol::kafka_error;
using security::acl_operation;
using security::resource_type;

backend_error access_denied(resource_type type, std::string_view name) {
  kafka_error code = kafka_error::cluster_authorization_failed;
  switch (type) {
    case resource_type::topic:
      code = kafka_error::topic_authorization_failed;
      break;
    case resource_type::group:
      code = kafka_error::group_authorization_failed;
      break;
    case resource_type::transactional_id:
      code = kafka_error::transactional_id_authorization_failed;
      break;
    case resource_type::cluster:
      break;
  }
  return backend_error{code, security::denied_message(type, name)};
}

namespace {

// `done`, called with the list after the elements the caller may not `op` (the name
// `name_of` gives, a resource of `type`) are left out.
template <typename T, typename NameOf>
event_backend::callback<std::vector<T>> leaving_out(const caller& who, acl_operation op,
                                                    resource_type type, NameOf name_of,
                                                    event_backend::callback<std::vector<T>> done) {
  return [who, op, type, name_of, done = std::move(done)](outcome<std::vector<T>> all) {
    if (all) {
      std::erase_if(*all, [&](const T& e) { return !who.sees(op, type, name_of(e)); });
    }
    done(std::move(all));
  };
}

}  // namespace

bool caller::may_create_topic(std::string_view name) const {
  if (sees(acl_operation::create, resource_type::cluster, security::cluster_resource_name) ||
      sees(acl_operation::create, resource_type::topic, name)) {
    return true;
  }
  authorizer.denied(who, host, acl_operation::create,
                    security::acl_resource{resource_type::topic, name});
  return false;
}

void authorizing_backend::list_topics(callback<std::vector<topic_info>> done) {
  // Metadata: the topics the principal may not describe are left out.
  _inner.list_topics(leaving_out<topic_info>(
      _caller, acl_operation::describe, resource_type::topic,
      [](const topic_info& t) -> const std::string& { return t.name; }, std::move(done)));
}

void authorizing_backend::describe_topic(std::string name, callback<topic_info> done) {
  if (!_caller.may(acl_operation::describe, resource_type::topic, name)) {
    done(access_denied(resource_type::topic, name));
    return;
  }
  _inner.describe_topic(std::move(name), std::move(done));
}

void authorizing_backend::create_topic(new_topic t, callback<topic_info> done) {
  if (!_caller.may_create_topic(t.name)) {
    done(access_denied(resource_type::topic, t.name));
    return;
  }
  // CreateTopics shows the new topic's configs only to who may describe them.
  const bool show_configs =
      _caller.sees(acl_operation::describe_configs, resource_type::topic, t.name);
  _inner.create_topic(std::move(t),
                      [show_configs, done = std::move(done)](outcome<topic_info> created) {
                        if (created && !show_configs) {
                          created->configs.clear();
                        }
                        done(std::move(created));
                      });
}

void authorizing_backend::delete_topic(std::string name, callback<void> done) {
  if (!_caller.may(acl_operation::remove, resource_type::topic, name)) {
    done(access_denied(resource_type::topic, name));
    return;
  }
  _inner.delete_topic(std::move(name), std::move(done));
}

void authorizing_backend::create_partitions(std::string topic, int32_t total, bool validate_only,
                                            callback<void> done) {
  if (!_caller.may(acl_operation::alter, resource_type::topic, topic)) {
    done(access_denied(resource_type::topic, topic));
    return;
  }
  _inner.create_partitions(std::move(topic), total, validate_only, std::move(done));
}

void authorizing_backend::topic_configs(std::string name,
                                        callback<std::vector<config_entry>> done) {
  if (!_caller.may(acl_operation::describe_configs, resource_type::topic, name)) {
    done(access_denied(resource_type::topic, name));
    return;
  }
  _inner.topic_configs(std::move(name), std::move(done));
}

void authorizing_backend::alter_topic_configs(std::string name, std::vector<config_change> changes,
                                              bool validate_only, callback<void> done) {
  if (!_caller.may(acl_operation::alter_configs, resource_type::topic, name)) {
    done(access_denied(resource_type::topic, name));
    return;
  }
  _inner.alter_topic_configs(std::move(name), std::move(changes), validate_only, std::move(done));
}

void authorizing_backend::offsets(std::string topic, int32_t partition,
                                  callback<partition_offsets> done) {
  // ListOffsets needs DESCRIBE.
  if (!_caller.may(acl_operation::describe, resource_type::topic, topic)) {
    done(access_denied(resource_type::topic, topic));
    return;
  }
  _inner.offsets(std::move(topic), partition, std::move(done));
}

void authorizing_backend::offset_for_time(std::string topic, int32_t partition,
                                          int64_t timestamp_ms, callback<int64_t> done) {
  if (!_caller.may(acl_operation::describe, resource_type::topic, topic)) {
    done(access_denied(resource_type::topic, topic));
    return;
  }
  _inner.offset_for_time(std::move(topic), partition, timestamp_ms, std::move(done));
}

void authorizing_backend::delete_records(std::string topic, int32_t partition, int64_t before,
                                         callback<int64_t> done) {
  if (!_caller.may(acl_operation::remove, resource_type::topic, topic)) {
    done(access_denied(resource_type::topic, topic));
    return;
  }
  _inner.delete_records(std::move(topic), partition, before, std::move(done));
}

void authorizing_backend::produce(const std::string& topic, std::vector<produce_record> records,
                                  produce_callback done) {
  auto refuse_all = [](size_t n, const backend_error& e) {
    std::vector<produce_result> results(n);
    for (auto& r : results) {
      r.error = e;
    }
    return results;
  };
  if (!_caller.may(acl_operation::write, resource_type::topic, topic)) {
    done(refuse_all(records.size(), access_denied(resource_type::topic, topic)));
    return;
  }
  if (_caller.may_create_topic(topic)) {
    _inner.produce(topic, std::move(records), std::move(done));
    return;
  }
  // Without CREATE, producing must not create the topic (Kafka's Metadata creates a topic
  // only for who may create it): produce only to a topic that exists.
  auto& inner = _inner;
  _inner.describe_topic(topic, [&inner, topic, records = std::move(records), done = std::move(done),
                                refuse_all](const outcome<topic_info>& found) mutable {
    if (!found) {
      done(refuse_all(records.size(), found.error()));
      return;
    }
    inner.produce(topic, std::move(records), std::move(done));
  });
}

void authorizing_backend::fetch(fetch_request request, fetch_callback done) {
  if (!_caller.may(acl_operation::read, resource_type::topic, request.topic)) {
    done(access_denied(resource_type::topic, request.topic));
    return;
  }
  _inner.fetch(std::move(request), std::move(done));
}

void authorizing_backend::list_groups(callback<std::vector<group_summary>> done) {
  // ListGroups: every group with DESCRIBE on the cluster, else those the principal may
  // describe.
  if (_caller.sees(acl_operation::describe, resource_type::cluster,
                   security::cluster_resource_name)) {
    _inner.list_groups(std::move(done));
    return;
  }
  _inner.list_groups(leaving_out<group_summary>(
      _caller, acl_operation::describe, resource_type::group,
      [](const group_summary& g) -> const std::string& { return g.group_id; }, std::move(done)));
}

void authorizing_backend::describe_group(std::string group, callback<group_info> done) {
  if (!_caller.may(acl_operation::describe, resource_type::group, group)) {
    done(access_denied(resource_type::group, group));
    return;
  }
  _inner.describe_group(std::move(group), std::move(done));
}

void authorizing_backend::group_offsets(std::string group,
                                        callback<std::vector<group_partition_offset>> done) {
  // OffsetFetch: DESCRIBE on the group; the topics the principal may not describe are left
  // out.
  if (!_caller.may(acl_operation::describe, resource_type::group, group)) {
    done(access_denied(resource_type::group, group));
    return;
  }
  _inner.group_offsets(
      std::move(group),
      leaving_out<group_partition_offset>(
          _caller, acl_operation::describe, resource_type::topic,
          [](const group_partition_offset& p) -> const std::string& { return p.topic; },
          std::move(done)));
}

void authorizing_backend::reset_group_offsets(std::string group,
                                              std::vector<offset_reset> positions,
                                              callback<void> done) {
  // OffsetCommit: READ on the group and on every topic.
  if (!_caller.may(acl_operation::read, resource_type::group, group)) {
    done(access_denied(resource_type::group, group));
    return;
  }
  for (const auto& p : positions) {
    if (!_caller.may(acl_operation::read, resource_type::topic, p.topic)) {
      done(access_denied(resource_type::topic, p.topic));
      return;
    }
  }
  _inner.reset_group_offsets(std::move(group), std::move(positions), std::move(done));
}

void authorizing_backend::delete_group(std::string group, callback<void> done) {
  if (!_caller.may(acl_operation::remove, resource_type::group, group)) {
    done(access_denied(resource_type::group, group));
    return;
  }
  _inner.delete_group(std::move(group), std::move(done));
}

std::shared_ptr<consumer_session> authorizing_backend::open_consumer(consumer_options options) {
  std::string group = options.group;
  return std::make_shared<authorizing_session>(_inner.open_consumer(std::move(options)), _caller,
                                               std::move(group));
}

}  // namespace brook::backend
