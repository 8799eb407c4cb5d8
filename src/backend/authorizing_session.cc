#include "backend/authorizing_session.h"

namespace brook::backend {

using security::acl_operation;
using security::resource_type;

namespace {

// The topic of each kind of entry the session's calls take.
const std::string& topic_of(const std::string& topic) {
  return topic;
}
const std::string& topic_of(const topic_partition& p) {
  return p.topic;
}
const std::string& topic_of(const offset_commit& c) {
  return c.partition.topic;
}

}  // namespace

template <typename Entries>
std::optional<backend_error> authorizing_session::topic_refusal(acl_operation op,
                                                                const Entries& entries) const {
  for (const auto& p : entries) {
    const std::string& topic = topic_of(p);
    if (!_caller.may(op, resource_type::topic, topic)) {
      return access_denied(resource_type::topic, topic);
    }
  }
  return std::nullopt;
}

void authorizing_session::subscribe(std::vector<std::string> topics,
                                    std::optional<std::string> pattern, callback<void> done) {
  // JoinGroup needs READ on the group; the topics named must be ones the caller may see. A
  // pattern is matched by the group; polling checks READ on what it assigns.
  if (!_caller.may(acl_operation::read, resource_type::group, _group)) {
    done(access_denied(resource_type::group, _group));
    return;
  }
  if (auto refused = topic_refusal(acl_operation::describe, topics)) {
    done(std::move(*refused));
    return;
  }
  _inner->subscribe(std::move(topics), std::move(pattern), std::move(done));
}

void authorizing_session::assign(std::vector<topic_partition> partitions, callback<void> done) {
  // Kafka's consumer learns at its first fetch; refusing here says so sooner.
  if (auto refused = topic_refusal(acl_operation::read, partitions)) {
    done(std::move(*refused));
    return;
  }
  _inner->assign(std::move(partitions), std::move(done));
}

void authorizing_session::poll(poll_request request, callback<poll_result> done) {
  // Fetch needs READ on every topic it reads: a pattern may have assigned one the caller may
  // not read (the ACLs may also have changed since subscribing).
  if (auto refused = topic_refusal(acl_operation::read, _inner->assignment())) {
    done(std::move(*refused));
    return;
  }
  // The assignment may change while the poll waits (a join completing, a rebalance): what
  // comes back is checked again, and records of a topic the caller may not read are never
  // handed out (the next poll is refused while that topic stays assigned).
  _inner->poll(request, [who = _caller, done = std::move(done)](outcome<poll_result> got) {
    if (got) {
      std::erase_if(got->records, [&who](const consumed_record& r) {
        return !who.sees(acl_operation::read, resource_type::topic, r.topic);
      });
    }
    done(std::move(got));
  });
}

void authorizing_session::commit(std::optional<std::vector<offset_commit>> offsets,
                                 callback<void> done) {
  if (!_caller.may(acl_operation::read, resource_type::group, _group)) {
    done(access_denied(resource_type::group, _group));
    return;
  }
  // The offsets given, or the positions of every assigned partition: READ on each topic.
  auto refused = offsets ? topic_refusal(acl_operation::read, *offsets)
                         : topic_refusal(acl_operation::read, _inner->assignment());
  if (refused) {
    done(std::move(*refused));
    return;
  }
  _inner->commit(std::move(offsets), std::move(done));
}

void authorizing_session::committed(std::vector<topic_partition> partitions,
                                    callback<std::vector<committed_position>> done) {
  if (!_caller.may(acl_operation::describe, resource_type::group, _group)) {
    done(access_denied(resource_type::group, _group));
    return;
  }
  if (auto refused = topic_refusal(acl_operation::describe, partitions)) {
    done(std::move(*refused));
    return;
  }
  _inner->committed(std::move(partitions), std::move(done));
}

}  // namespace brook::backend
