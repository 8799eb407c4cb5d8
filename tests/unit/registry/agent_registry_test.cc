// The agent registry over a real broker (local backend), user directory, ACL authorizer
// and registry store in a temporary data directory.
#include "registry/agent_registry.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <tuple>

#include "app/sqlite_agent_store.h"
#include "backend/backend_wait.h"
#include "backend/local_backend.h"
#include "base/clock.h"
#include "broker/broker.h"
#include "security/audit_log.h"
#include "security/scram_credential.h"
#include "support/broker_fixture.h"
#include "support/sync_backend.h"

namespace brook::registry {
namespace {

using security::acl_operation;
using security::resource_type;

const security::principal alice{"User", "alice"};
const security::principal bob{"User", "bob"};

caller as(const security::principal& who, bool admin = false) {
  return {who, "/127.0.0.1", admin};
}

struct harness : test::broker_fixture {
  std::unique_ptr<backend::local_backend> backend;
  std::unique_ptr<security::acl_authorizer> acls;
  std::unique_ptr<app::sqlite_agent_store> store;
  std::unique_ptr<agent_registry> registry;
  // What the registry recorded on its audit log (published as the server would).
  std::mutex audit_mutex;
  std::vector<std::string> audit_records;
  std::unique_ptr<security::audit_log> audit;

  explicit harness(uint64_t seed = 0) {
    audit = std::make_unique<security::audit_log>(
        [this](std::vector<std::string> records, const std::function<void(bool)>& done) {
          {
            std::lock_guard lock(audit_mutex);
            audit_records.insert(audit_records.end(), records.begin(), records.end());
          }
          done(true);
        });
    backend = std::make_unique<backend::local_backend>(*b);
    auto a = security::acl_authorizer::open(dir.path(), {});
    EXPECT_TRUE(a) << a.error().message();
    acls = std::move(a).value();
    reopen(seed);
  }
  void reopen(uint64_t seed = 0) {
    registry.reset();
    store.reset();
    auto s = app::sqlite_agent_store::open(dir.path() / app::sqlite_agent_store::file_name);
    EXPECT_TRUE(s) << s.error().message();
    store = std::move(s).value();
    registry_options o;
    o.name_seed = seed;
    o.audit_topic = "_brook_audit";
    registry = std::make_unique<agent_registry>(*backend, *users, *acls, *store, audit.get(), o);
  }
  ~harness() {
    registry.reset();
    audit->stop();
    backend->stop();
    backend.reset();
  }
  test::sync_backend api() { return {*backend}; }
  bool topic_exists(const std::string& t) { return api().describe_topic(t).has_value(); }
  bool may(const std::string& who, acl_operation op, resource_type type, const std::string& name) {
    return acls->permits(security::principal{"User", who.substr(5)}, "/127.0.0.1", op,
                         security::acl_resource{type, name});
  }
  std::vector<backend::fetched_record> records(const std::string& topic) {
    backend::fetch_request req;
    req.topic = topic;
    auto got = backend::wait_for<std::vector<backend::fetched_record>>(
        [&](auto done) { backend->fetch(req, std::move(done)); });
    EXPECT_TRUE(got.has_value());
    return got ? *got : std::vector<backend::fetched_record>{};
  }
  registered register_one(const security::principal& owner, registration r = {},
                          const std::optional<std::string>& key = std::nullopt) {
    if (r.name.empty()) {
      r.name = "example agent 1";
    }
    auto got = registry->register_agent(as(owner), r, key);
    EXPECT_TRUE(got) << (got ? "" : got.error().message);
    return got ? *got : registered{};
  }
};

TEST(AgentRegistry, ARegistrationMakesTopicLoginAclsAndAnnouncement) {
  harness h;
  registration r;
  r.name = "example agent 1";
  r.partitions = 2;
  r.retention_ms = 3600000;
  r.metadata = R"({"team":"blue"})";
  auto got = h.register_one(alice, r);
  const auto& a = got.agent.agent;
  EXPECT_TRUE(got.created);
  EXPECT_EQ(a.state, "active");
  EXPECT_EQ(a.owner, "User:alice");
  EXPECT_EQ(got.agent.principal, "User:agent-" + a.id);
  EXPECT_EQ(std::count(a.topic.begin(), a.topic.end(), '-'), 2) << a.topic;
  // The topic, as asked.
  auto t = h.api().describe_topic(a.topic);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->partitions.size(), 2U);
  EXPECT_EQ(t->configs.at("retention.ms"), "3600000");
  // The login: SCRAM-SHA-512 of the password in the answer.
  auto cred = h.users->find(got.agent.username, security::scram_mechanism::sha512);
  ASSERT_TRUE(cred.has_value());
  EXPECT_TRUE(security::scram_password_matches(*cred, got.password));
  EXPECT_GE(got.password.size(), 32U);
  // The ACLs: its own topic and group prefix, nothing else; the owner reads the topic.
  const auto& me = got.agent.principal;
  for (auto op : {acl_operation::read, acl_operation::write, acl_operation::describe}) {
    EXPECT_TRUE(h.may(me, op, resource_type::topic, a.topic));
    EXPECT_FALSE(h.may(me, op, resource_type::topic, "some-other-topic"));
  }
  EXPECT_FALSE(h.may(me, acl_operation::create, resource_type::topic, a.topic));
  EXPECT_TRUE(h.may(me, acl_operation::read, resource_type::group, a.topic + ".workers"));
  EXPECT_FALSE(h.may(me, acl_operation::read, resource_type::group, "workers"));
  EXPECT_TRUE(h.may("User:alice", acl_operation::read, resource_type::topic, a.topic));
  EXPECT_FALSE(h.may("User:alice", acl_operation::write, resource_type::topic, a.topic));
  // The announcement is the first record.
  auto recs = h.records(a.topic);
  ASSERT_EQ(recs.size(), 1U);
  EXPECT_EQ(recs[0].offset, 0);
  simdjson::dom::parser p;
  auto doc = p.parse(*recs[0].value);
  ASSERT_EQ(doc.error(), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["type"]), "agent_registered");
  EXPECT_EQ(std::string_view(doc["agent"]), a.id);
  EXPECT_EQ(std::string_view(doc["name"]), "example agent 1");
  EXPECT_EQ(std::string_view(doc["owner"]), "User:alice");
}

TEST(AgentRegistry, AnIdempotencyKeyGivesTheSameAgentWithNewCredentials) {
  harness h;
  auto first = h.register_one(alice, {}, std::string("key-1"));
  auto again = h.register_one(alice, {}, std::string("key-1"));
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.agent.agent.id, first.agent.agent.id);
  EXPECT_EQ(again.agent.agent.topic, first.agent.agent.topic);
  auto cred = h.users->find(first.agent.username, security::scram_mechanism::sha512);
  ASSERT_TRUE(cred.has_value());
  EXPECT_TRUE(security::scram_password_matches(*cred, again.password));
  EXPECT_FALSE(security::scram_password_matches(*cred, first.password));
  EXPECT_EQ(h.records(first.agent.agent.topic).size(), 1U);  // announced once
  // Bob's key of the same text is his own.
  auto bobs = h.register_one(bob, {}, std::string("key-1"));
  EXPECT_TRUE(bobs.created);
  EXPECT_NE(bobs.agent.agent.id, first.agent.agent.id);
}

TEST(AgentRegistry, ANameThatIsATopicAlreadyIsNotGiven) {
  // The same seed draws the same names: make the first one a topic first.
  agent_name_generator predict({}, 42);
  auto first = predict.next([](const std::string&) { return false; }).value();
  harness h(42);
  ASSERT_TRUE(h.api().create_topic({first, 1, -1, {}, false}));
  auto got = h.register_one(alice);
  EXPECT_NE(got.agent.agent.topic, first);
  EXPECT_TRUE(h.topic_exists(got.agent.agent.topic));
}

TEST(AgentRegistry, BadRegistrationsAreRefusedAndMakeNothing) {
  harness h;
  auto topics_before = h.api().list_topics()->size();
  std::vector<registration> bad(6);
  bad[0].name = "";
  bad[1].name = std::string(201, 'x');
  bad[2].name = "bad \xff utf-8";
  bad[3].name = "ok";
  bad[3].partitions = 0;
  bad[4].name = "ok";
  bad[4].retention_ms = 5;
  bad[5].name = "tab\there";
  for (const auto& r : bad) {
    auto got = h.registry->register_agent(as(alice), r, std::nullopt);
    ASSERT_FALSE(got) << r.name;
    EXPECT_EQ(got.error().status, 400);
  }
  EXPECT_EQ(h.api().list_topics()->size(), topics_before);
  EXPECT_TRUE(h.store->list(std::nullopt, "", 10)->empty());
}

TEST(AgentRegistry, OwnersSeeTheirOwnAdminsSeeAll) {
  harness h;
  auto mine = h.register_one(alice);
  auto his = h.register_one(bob);
  EXPECT_TRUE(h.registry->get(as(alice), mine.agent.agent.id));
  auto refused = h.registry->get(as(alice), his.agent.agent.id);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().status, 404);
  EXPECT_TRUE(h.registry->get(as(alice, true), his.agent.agent.id));
  EXPECT_EQ(h.registry->list(as(alice), "", 100)->size(), 1U);
  EXPECT_EQ(h.registry->list(as(alice, true), "", 100)->size(), 2U);
  EXPECT_EQ(h.registry->list(as(alice, true), "", 1)->size(), 1U);
}

TEST(AgentRegistry, DeletionRevokesLoginAndAclsAndTheNameStaysUsed) {
  harness h;
  auto kept = h.register_one(alice);
  auto gone = h.register_one(alice);
  ASSERT_FALSE(h.registry->remove(as(bob), kept.agent.agent.id, true));  // not his
  ASSERT_TRUE(h.registry->remove(as(alice), kept.agent.agent.id, false));
  ASSERT_TRUE(h.registry->remove(as(alice), gone.agent.agent.id, true));
  for (const auto* r : {&kept, &gone}) {
    const auto& a = r->agent.agent;
    EXPECT_FALSE(h.users->find(r->agent.username, security::scram_mechanism::sha512));
    EXPECT_FALSE(h.may(r->agent.principal, acl_operation::read, resource_type::topic, a.topic));
    EXPECT_FALSE(h.may("User:alice", acl_operation::read, resource_type::topic, a.topic));
    EXPECT_TRUE(h.store->name_used(a.topic).value());
    EXPECT_FALSE(h.registry->get(as(alice, true), a.id));
    // No binding of the agent's is left, its group prefix's included.
    security::acl_filter its;
    its.principal = r->agent.principal;
    its.pattern = security::pattern_type::any;
    EXPECT_EQ(h.acls->describe(its).size(), 0U);
  }
  EXPECT_TRUE(h.topic_exists(kept.agent.agent.topic));
  EXPECT_FALSE(h.topic_exists(gone.agent.agent.topic));
}

TEST(AgentRegistry, DisableTakesLoginAndAclsAwayEnableGivesThemBack) {
  harness h;
  auto got = h.register_one(alice);
  const auto& a = got.agent.agent;
  const auto& me = got.agent.principal;
  auto off = h.registry->disable(as(alice), a.id);
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_EQ(off->agent.state, "disabled");
  EXPECT_FALSE(h.users->find(got.agent.username, security::scram_mechanism::sha512));
  EXPECT_FALSE(h.may(me, acl_operation::read, resource_type::topic, a.topic));
  EXPECT_TRUE(h.may("User:alice", acl_operation::read, resource_type::topic, a.topic));
  EXPECT_TRUE(h.topic_exists(a.topic));
  security::acl_filter its;
  its.principal = me;
  its.pattern = security::pattern_type::any;
  EXPECT_EQ(h.acls->describe(its).size(), 0U);  // the group prefix's too
  auto rotated = h.registry->rotate(as(alice), a.id);
  ASSERT_FALSE(rotated);
  EXPECT_EQ(rotated.error().status, 409);
  EXPECT_FALSE(h.users->find(got.agent.username, security::scram_mechanism::sha512));
  auto on = h.registry->enable(as(alice), a.id);
  ASSERT_TRUE(on) << on.error().message;
  EXPECT_EQ(on->agent.agent.state, "active");
  auto cred = h.users->find(got.agent.username, security::scram_mechanism::sha512);
  ASSERT_TRUE(cred.has_value());
  EXPECT_TRUE(security::scram_password_matches(*cred, on->password));
  EXPECT_TRUE(h.may(me, acl_operation::write, resource_type::topic, a.topic));
  EXPECT_EQ(h.acls->describe(its).size(), 4U);  // READ, WRITE, DESCRIBE; READ on the groups
  // Patched: the name, the metadata, the topic's retention.
  agent_patch p;
  p.name = "renamed";
  p.retention_ms = std::optional<int64_t>(600000);
  auto patched = h.registry->update(as(alice), a.id, p);
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ(patched->agent.name, "renamed");
  EXPECT_EQ(h.api().describe_topic(a.topic)->configs.at("retention.ms"), "600000");
  p = {};
  p.retention_ms = std::optional<int64_t>();
  ASSERT_TRUE(h.registry->update(as(alice), a.id, p));
  EXPECT_EQ(h.api().describe_topic(a.topic)->configs.count("retention.ms"), 0U);
  EXPECT_FALSE(h.registry->update(as(bob), a.id, p));
}

TEST(AgentRegistry, RecoveryUndoesAHalfMadeRegistration) {
  harness h;
  // As a crash leaves it: stored as creating, its topic and login made, ACLs not yet.
  registry::agent_record a;
  a.id = "0123456789abcdef";
  a.name = "half";
  a.owner = "User:alice";
  a.topic = "half-made-agent";
  a.state = "creating";
  ASSERT_EQ(h.store->claim(a, std::string("k"))->outcome,
            app::sqlite_agent_store::claim_outcome::claimed);
  ASSERT_TRUE(h.api().create_topic({a.topic, 1, -1, {}, false}));
  ASSERT_TRUE(h.users->put("agent-" + a.id, security::scram_credential_from_password(
                                                security::scram_mechanism::sha512, "pw")));
  auto done = h.register_one(alice);  // a whole one beside it stays
  h.reopen();
  ASSERT_TRUE(h.registry->recover());
  EXPECT_FALSE(h.topic_exists(a.topic));
  EXPECT_FALSE(h.users->find("agent-" + a.id, security::scram_mechanism::sha512));
  EXPECT_FALSE(h.store->get(a.id)->has_value());
  EXPECT_TRUE(h.store->name_used(a.topic).value());
  EXPECT_TRUE(h.registry->get(as(alice), done.agent.agent.id));
  EXPECT_TRUE(h.topic_exists(done.agent.agent.topic));
  // The key of the undone registration is free: a retry registers anew.
  auto retried = h.register_one(alice, {}, std::string("k"));
  EXPECT_TRUE(retried.created);
}

TEST(AgentRegistry, EveryChangeIsAuditedWithWhoWhatAndTheOutcome) {
  harness h;
  auto got = h.register_one(alice);
  const auto id = got.agent.agent.id;
  ASSERT_TRUE(h.registry->rotate(as(alice), id));
  ASSERT_TRUE(h.registry->disable(as(alice), id));
  ASSERT_TRUE(h.registry->enable(as(alice), id));
  agent_patch p;
  p.name = "renamed";
  ASSERT_TRUE(h.registry->update(as(alice), id, p));
  ASSERT_FALSE(h.registry->rotate(as(bob), id));  // not his: refused, and recorded
  ASSERT_TRUE(h.registry->get(as(alice), id));    // reads are not recorded
  ASSERT_TRUE(h.registry->remove(as(alice), id, true));
  h.audit->stop();  // publishes what is queued
  using row = std::tuple<std::string, std::string, std::string>;
  std::vector<row> seen;
  simdjson::dom::parser parser;
  for (const auto& text : h.audit_records) {
    simdjson::dom::element e = parser.parse(text);
    EXPECT_EQ(std::string_view(e["event"]), "registry");
    EXPECT_EQ(std::string_view(e["client"]), "127.0.0.1");
    EXPECT_EQ(std::string_view(e["resource"]["type"]), "AGENT");
    EXPECT_EQ(std::string_view(e["resource"]["name"]), id);
    EXPECT_EQ(e["password"].error(), simdjson::NO_SUCH_FIELD);
    seen.emplace_back(std::string(std::string_view(e["operation"])),
                      std::string(std::string_view(e["outcome"])),
                      std::string(std::string_view(e["principal"])));
  }
  EXPECT_EQ(seen, (std::vector<row>{{"REGISTER", "success", "User:alice"},
                                    {"ROTATE_CREDENTIALS", "success", "User:alice"},
                                    {"DISABLE", "success", "User:alice"},
                                    {"ENABLE", "success", "User:alice"},
                                    {"UPDATE", "success", "User:alice"},
                                    {"ROTATE_CREDENTIALS", "failure", "User:bob"},
                                    {"DELETE_WITH_TOPIC", "success", "User:alice"}}));
  ASSERT_EQ(h.audit_records.size(), 7U);
  simdjson::dom::element refused = parser.parse(h.audit_records[5]);
  EXPECT_NE(std::string_view(refused["reason"]).find("not found"), std::string_view::npos);
}

TEST(AgentRegistry, LoginsAreTheAgentsAuthenticationRecordsSinceATime) {
  harness h;
  auto got = h.register_one(alice);
  const auto& v = got.agent;
  // No audit topic yet.
  auto none = h.registry->logins(as(alice), v.agent.id, 0, 100);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().status, 500);
  ASSERT_TRUE(h.api().create_topic({"_brook_audit", 2, -1, {}, false}));
  const int64_t now = wall_clock_ms();
  auto login = [](std::string outcome, std::string principal, std::string user, int64_t at) {
    security::audit_event e;
    e.event = "authentication";
    e.outcome = std::move(outcome);
    e.listener = "SASL_PLAINTEXT";
    e.client = "127.0.0.1";
    e.mechanism = "SCRAM-SHA-512";
    e.principal = std::move(principal);
    e.user = std::move(user);
    return security::audit_log::format(e, at);
  };
  struct written {
    std::string record;
    int64_t at;
    int32_t partition;
  };
  const std::vector<written> records{
      {login("success", v.principal, "", now - 60'000), now - 60'000, 0},  // before `since`
      {login("success", v.principal, "", now - 2000), now - 2000, 1},
      {login("failure", "", v.username, now - 1000), now - 1000, 0},
      {login("success", "User:alice", "", now - 900), now - 900, 0},  // someone else
      {R"({"event":"authorization","outcome":"denied","time":"x","principal":")" + v.principal +
           "\"}",
       now - 800, 1},
      {login("success", v.principal, "", now - 500), now - 500, 1},
  };
  for (const auto& w : records) {
    backend::produce_record r;
    r.value = w.record;
    r.timestamp_ms = w.at;
    r.partition = w.partition;
    auto done = backend::wait_for_produce(*h.backend, "_brook_audit", {r});
    ASSERT_FALSE(done.at(0).error.has_value());
  }
  auto found = h.registry->logins(as(alice), v.agent.id, now - 30'000, 100);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found,
            (std::vector<std::string>{records[1].record, records[2].record, records[5].record}));
  auto first = h.registry->logins(as(alice), v.agent.id, now - 30'000, 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, std::vector<std::string>{records[1].record});
  auto all = h.registry->logins(as(alice), v.agent.id, 0, 100);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4U);
  auto later = h.registry->logins(as(alice), v.agent.id, now + 60'000, 100);
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->empty());
  auto his = h.registry->logins(as(bob), v.agent.id, 0, 100);
  ASSERT_FALSE(his);
  EXPECT_EQ(his.error().status, 404);
}

}  // namespace
}  // namespace brook::registry
