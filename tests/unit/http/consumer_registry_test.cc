// The REST Proxy's consumer instances over the local event backend of an in-process broker
// (storage, topics, the group coordinator: support/broker_fixture), checked as a Kafka
// client would see them: group members, partitions shared in a group, committed offsets a
// new member resumes from. The instances' calls are coroutines; the tests run each to its
// end (sync_consumer). Kafka clients in the same groups as REST instances are exercised by
// tests/compat/http_rest_test.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "backend/local_backend.h"
#include "http/rest/consumer_registry.h"
#include "support/broker_fixture.h"

namespace brook::http::rest {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Runs a coroutine to its end on a private io_context.
template <typename T>
T run(boost::asio::awaitable<T> a) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::optional<T> out;
  std::exception_ptr failed;
  boost::asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    failed = e;
    out = std::move(v);
    work.reset();
  });
  io.run();
  if (failed) {
    std::rethrow_exception(failed);
  }
  return std::move(*out);
}

// A consumer instance whose calls return once answered.
class sync_consumer {
 public:
  explicit sync_consumer(std::shared_ptr<consumer_instance> c) : _c(std::move(c)) {}

  const std::string& group() const { return _c->group(); }
  const std::string& name() const { return _c->name(); }
  const std::string& format() const { return _c->format(); }
  bool closed() const { return _c->closed(); }

  std::optional<rest_error> subscribe(std::vector<std::string> topics,
                                      std::optional<std::string> pattern) {
    return run(_c->subscribe(std::move(topics), std::move(pattern)));
  }
  subscription_answer subscription() { return run(_c->subscription()); }
  std::optional<rest_error> unsubscribe() { return run(_c->unsubscribe()); }
  std::optional<rest_error> assign(std::vector<topic_partition> ps) {
    return run(_c->assign(std::move(ps)));
  }
  assignment_answer assignment() { return run(_c->assignment()); }
  std::optional<rest_error> seek(std::vector<partition_offset> offsets) {
    return run(_c->seek(std::move(offsets)));
  }
  std::optional<rest_error> seek_to_beginning(std::vector<topic_partition> ps) {
    return run(_c->seek_to_beginning(std::move(ps)));
  }
  std::optional<rest_error> seek_to_end(std::vector<topic_partition> ps) {
    return run(_c->seek_to_end(std::move(ps)));
  }
  records_answer poll(std::optional<milliseconds> timeout, size_t max_bytes) {
    return run(_c->poll(timeout, max_bytes));
  }
  std::optional<rest_error> commit(std::optional<std::vector<partition_offset>> offsets) {
    return run(_c->commit(std::move(offsets)));
  }
  committed_answer committed(std::vector<topic_partition> ps) {
    return run(_c->committed(std::move(ps)));
  }

 private:
  std::shared_ptr<consumer_instance> _c;
};

// Closes (and waits for) the instance the registry had; 40403 when it had none.
std::optional<rest_error> remove(consumer_registry& r, const std::string& group,
                                 const std::string& name) {
  auto c = r.take(group, name, {});
  if (!c) {
    return rest_error::make(error_codes::consumer_instance_not_found,
                            "Consumer instance not found.");
  }
  std::promise<void> closed;
  c->close([&closed] { closed.set_value(); });
  closed.get_future().wait();
  return std::nullopt;
}

struct produced {
  int32_t partition = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  int64_t timestamp_ms = 0;  // 0: now
};

// An in-process broker (groups rebalance without the initial delay) and its local backend,
// with the calls the tests make as a Kafka client would: create topics, produce, describe
// a group.
class test_broker {
 public:
  test_broker() : _fixture({}, no_initial_delay()), _backend(*_fixture.b) {}
  ~test_broker() { _backend.stop(); }

  backend::event_backend& backend() { return _backend; }

  void create_topic(const std::string& name, int partitions) {
    backend::new_topic t;
    t.name = name;
    t.partitions = partitions;
    std::promise<backend::outcome<backend::topic_info>> created;
    _backend.create_topic(
        t, [&](backend::outcome<backend::topic_info> r) { created.set_value(std::move(r)); });
    auto r = created.get_future().get();
    ASSERT_TRUE(r) << r.error().message;
  }

  void produce(const std::string& topic, const std::vector<produced>& records) {
    std::vector<backend::produce_record> out;
    for (const auto& r : records) {
      backend::produce_record p;
      p.partition = r.partition;
      p.key = r.key;
      p.value = r.value;
      if (r.timestamp_ms != 0) {
        p.timestamp_ms = r.timestamp_ms;
      }
      for (const auto& [k, v] : r.headers) {
        protocol::record_header h;
        h.key = k;
        h.null_value = !v;
        h.value = v.value_or("");
        p.headers.push_back(std::move(h));
      }
      out.push_back(std::move(p));
    }
    std::promise<std::vector<backend::produce_result>> done;
    _backend.produce(topic, std::move(out),
                     [&](std::vector<backend::produce_result> r) { done.set_value(std::move(r)); });
    for (const auto& r : done.get_future().get()) {
      ASSERT_FALSE(r.error) << r.error->message;
    }
  }

  // Client ids of the group's members as the coordinator describes them.
  std::vector<std::string> group_members(const std::string& group) {
    std::promise<backend::outcome<backend::group_info>> described;
    _backend.describe_group(
        group, [&](backend::outcome<backend::group_info> r) { described.set_value(std::move(r)); });
    std::vector<std::string> out;
    auto r = described.get_future().get();
    if (r) {
      for (const auto& m : r->members) {
        out.push_back(m.client_id);
      }
    }
    return out;
  }

 private:
  static broker::group::group_config no_initial_delay() {
    broker::group::group_config c;
    c.initial_rebalance_delay_ms = 0;
    return c;
  }

  test::broker_fixture _fixture;
  backend::local_backend _backend;
};

// Waits (bounded) for `condition`, checking it every 20 ms.
template <typename F>
bool eventually(F condition, milliseconds budget = 30s) {
  auto deadline = steady_clock::now() + budget;
  while (!condition()) {
    if (steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Polls until `count` records came back (or 30 s passed).
std::vector<consumed_record> poll_records(sync_consumer& c, size_t count,
                                          size_t max_bytes = consumer_instance::default_max_bytes) {
  std::vector<consumed_record> out;
  auto deadline = steady_clock::now() + 30s;
  while (out.size() < count && steady_clock::now() < deadline) {
    auto answer = c.poll(500ms, max_bytes);
    EXPECT_FALSE(answer.error) << answer.error->message;
    for (auto& r : answer.records) {
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<int64_t> offsets_of(const std::vector<consumed_record>& records, int32_t partition) {
  std::vector<int64_t> out;
  for (const auto& r : records) {
    if (r.partition == partition) {
      out.push_back(r.offset);
    }
  }
  return out;
}

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t i = from; i < to; ++i) {
    out.push_back(i);
  }
  return out;
}

produced value_record(int32_t partition, std::string value) {
  produced p;
  p.partition = partition;
  p.value = std::move(value);
  return p;
}

class ConsumerRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client = std::make_unique<test_broker>();
    registry = std::make_unique<consumer_registry>(expiry.get_executor(), client->backend(), 300s);
  }
  void TearDown() override {
    registry.reset();
    client.reset();
  }

  // A name unique to this test, for topics and groups.
  static std::string unique(const std::string& what) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->name()) + "-" + what;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
  }

  consumer_settings settings(const std::string& group, const std::string& name = "") {
    consumer_settings s;
    s.group = group;
    s.name = name;
    s.format = "binary";
    s.auto_offset_reset = "earliest";
    return s;
  }

  std::shared_ptr<sync_consumer> find(const std::string& group, const std::string& name) {
    auto c = registry->find(group, name, {});
    return c ? std::make_shared<sync_consumer>(std::move(c)) : nullptr;
  }

  std::shared_ptr<sync_consumer> create(const consumer_settings& s) {
    auto created = registry->create(s);
    EXPECT_FALSE(created.error) << created.error->message;
    return find(s.group, created.name);
  }

  boost::asio::thread_pool expiry{1};  // the registries' idle expiry runs here
  std::unique_ptr<test_broker> client;
  std::unique_ptr<consumer_registry> registry;
};

// --- settings --------------------------------------------------------------

TEST(ConsumerSettings, InvalidValuesAre42204) {
  auto base = [] {
    consumer_settings s;
    s.group = "g";
    s.name = "n";
    return s;
  };
  EXPECT_FALSE(validate_consumer_settings(base()));
  for (const char* ok : {"binary", "JSON", "Binary", ""}) {
    auto s = base();
    s.format = ok;
    EXPECT_FALSE(validate_consumer_settings(s)) << ok;
  }
  for (const char* ok : {"earliest", "latest", "none", "smallest", "LARGEST"}) {
    auto s = base();
    s.auto_offset_reset = ok;
    EXPECT_FALSE(validate_consumer_settings(s)) << ok;
  }
  std::vector<consumer_settings> bad;
  for (const char* f : {"avro", "jsonschema", "protobuf", "xml"}) {
    bad.push_back(base());
    bad.back().format = f;
  }
  bad.push_back(base());
  bad.back().auto_offset_reset = "sometimes";
  bad.push_back(base());
  bad.back().fetch_min_bytes = -1;
  bad.push_back(base());
  bad.back().fetch_min_bytes = 200000000;
  bad.push_back(base());
  bad.back().request_timeout_ms = -5;
  bad.push_back(base());
  bad.back().request_timeout_ms = 3600000;
  bad.push_back(base());
  bad.back().group = "";
  bad.push_back(base());
  bad.back().name = "a/b";
  bad.push_back(base());
  bad.back().client_id = "line\nbreak";
  for (const auto& s : bad) {
    auto e = validate_consumer_settings(s);
    ASSERT_TRUE(e) << s.format << " " << s.auto_offset_reset;
    EXPECT_EQ(e->code, error_codes::invalid_consumer_config);
    EXPECT_EQ(e->status, 422);
    EXPECT_FALSE(e->message.empty());
  }
  auto avro = base();
  avro.format = "avro";
  EXPECT_NE(validate_consumer_settings(avro)->message.find("Schema Registry"), std::string::npos);
}

TEST_F(ConsumerRegistryTest, RegistryRefusesInvalidSettingsWithoutCreating) {
  consumer_settings s;
  s.group = "g";
  s.format = "avro";
  auto created = registry->create(s);
  ASSERT_TRUE(created.error);
  EXPECT_EQ(created.error->code, error_codes::invalid_consumer_config);
  EXPECT_EQ(registry->size(), 0u);
}

// --- the registry ----------------------------------------------------------------------------

TEST_F(ConsumerRegistryTest, AnInstanceIsFoundOnlyByItsOwner) {
  std::string group = unique("group");
  auto s = settings(group, "mine");
  s.owner = security::principal{"User", "bob"};
  ASSERT_FALSE(registry->create(s).error);
  EXPECT_EQ(registry->find(group, "mine", {}), nullptr);
  EXPECT_EQ(registry->find(group, "mine", security::principal{"User", "eve"}), nullptr);
  EXPECT_EQ(registry->take(group, "mine", security::principal{"User", "eve"}), nullptr);
  auto found = registry->find(group, "mine", s.owner);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->owner(), s.owner);
  // Another principal cannot take the name either: it is in use.
  auto other = settings(group, "mine");
  other.owner = security::principal{"User", "eve"};
  EXPECT_EQ(registry->create(other).error->code, error_codes::consumer_already_exists);
  auto taken = registry->take(group, "mine", s.owner);
  ASSERT_NE(taken, nullptr);
  std::promise<void> closed;
  taken->close([&closed] { closed.set_value(); });
  closed.get_future().wait();
}

TEST_F(ConsumerRegistryTest, CreateFindRemove) {
  std::string group = unique("group");
  auto created = registry->create(settings(group, "one"));
  ASSERT_FALSE(created.error);
  EXPECT_EQ(created.name, "one");
  auto one = find(group, "one");
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->group(), group);
  EXPECT_EQ(one->name(), "one");
  EXPECT_EQ(one->format(), "binary");

  auto again = registry->create(settings(group, "one"));
  ASSERT_TRUE(again.error);
  EXPECT_EQ(again.error->code, error_codes::consumer_already_exists);
  EXPECT_EQ(again.error->status, 409);
  // The same name in another group is another instance.
  EXPECT_FALSE(registry->create(settings(group + "-other", "one")).error);

  // No name: a generated one, different every time.
  auto a = registry->create(settings(group));
  auto b = registry->create(settings(group));
  ASSERT_FALSE(a.error);
  ASSERT_FALSE(b.error);
  EXPECT_EQ(a.name.rfind("rest-consumer-", 0), 0u) << a.name;
  EXPECT_NE(a.name, b.name);
  EXPECT_NE(registry->find(group, a.name, {}), nullptr);

  EXPECT_EQ(registry->find(group, "nobody", {}), nullptr);
  EXPECT_EQ(registry->find("no-group", "one", {}), nullptr);
  auto unknown = remove(*registry, group, "nobody");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->code, error_codes::consumer_instance_not_found);
  EXPECT_EQ(unknown->status, 404);

  // Neither subscribed nor assigned: Kafka's IllegalStateException.
  auto idle = one->poll(10ms, 1024);
  ASSERT_TRUE(idle.error);
  EXPECT_EQ(idle.error->code, error_codes::illegal_state);

  EXPECT_EQ(registry->size(), 4u);
  EXPECT_FALSE(remove(*registry, group, "one"));
  EXPECT_EQ(registry->find(group, "one", {}), nullptr);
  EXPECT_EQ(registry->size(), 3u);
  // A route still holding the closed instance gets 40403 from every call.
  EXPECT_TRUE(one->closed());
  EXPECT_EQ(one->poll(10ms, 1024).error->code, error_codes::consumer_instance_not_found);
  EXPECT_EQ(one->subscribe({"t"}, std::nullopt)->code, error_codes::consumer_instance_not_found);
  EXPECT_EQ(one->assignment().error->code, error_codes::consumer_instance_not_found);
  EXPECT_EQ(one->commit(std::nullopt)->code, error_codes::consumer_instance_not_found);
  // The name is free again.
  EXPECT_FALSE(registry->create(settings(group, "one")).error);
}

TEST_F(ConsumerRegistryTest, InstanceCountIsCapped) {
  consumer_registry small(expiry.get_executor(), client->backend(), 300s, 2);
  std::string group = unique("group");
  EXPECT_FALSE(small.create(settings(group, "a")).error);
  EXPECT_FALSE(small.create(settings(group, "b")).error);
  auto third = small.create(settings(group, "c"));
  ASSERT_TRUE(third.error);
  EXPECT_EQ(third.error->code, error_codes::unavailable);
  EXPECT_EQ(third.error->status, 503);
  EXPECT_FALSE(remove(small, group, "a"));
  EXPECT_FALSE(small.create(settings(group, "c")).error);
  small.close_all();
  EXPECT_EQ(small.size(), 0u);
  EXPECT_EQ(small.create(settings(group, "d")).error->code, error_codes::unavailable);
}

TEST_F(ConsumerRegistryTest, ExpireIdleUsesTheGivenClock) {
  consumer_registry r(expiry.get_executor(), client->backend(), 1h);
  std::string group = unique("group");
  ASSERT_FALSE(r.create(settings(group, "a")).error);
  auto a = r.find(group, "a", {});
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(r.expire_idle(steady_clock::now()), 0u);
  EXPECT_EQ(r.expire_idle(steady_clock::now() + 2h), 1u);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_TRUE(a->closed());
}

TEST_F(ConsumerRegistryTest, IdleInstancesAreClosed) {
  consumer_registry r(expiry.get_executor(), client->backend(), 300ms);
  std::string group = unique("group");
  ASSERT_FALSE(r.create(settings(group, "a")).error);
  auto a = r.find(group, "a", {});
  ASSERT_NE(a, nullptr);
  ASSERT_FALSE(sync_consumer(a).subscribe({unique("topic")}, std::nullopt));
  a.reset();  // the registry's timer alone decides
  EXPECT_TRUE(eventually([&] { return r.size() == 0; }, 20s));
  EXPECT_EQ(r.find(group, "a", {}), nullptr);
}

// --- consuming -------------------------------------------------------------------------------

TEST_F(ConsumerRegistryTest, SubscribedInstanceReadsEveryRecordInOrderAsAGroupMember) {
  std::string topic = unique("topic");
  std::string group = unique("group");
  client->create_topic(topic, 3);
  std::vector<produced> records;
  for (int i = 0; i < 30; ++i) {
    produced p;
    p.partition = i % 3;
    p.key = "k" + std::to_string(i);
    p.value = "v" + std::to_string(i);
    p.timestamp_ms = 1700000000000 + i;
    if (i == 4) {
      p.headers = {{"h1", std::string("x")}, {"h2", std::nullopt}};
    }
    if (i == 5) {
      p.value.reset();  // a tombstone
    }
    if (i == 6) {
      p.key.reset();
      p.value = "";
    }
    records.push_back(p);
  }
  client->produce(topic, records);

  auto c = create(settings(group, "reader"));
  ASSERT_NE(c, nullptr);
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  auto sub = c->subscription();
  ASSERT_FALSE(sub.error);
  EXPECT_EQ(sub.topics, std::vector<std::string>{topic});
  EXPECT_FALSE(sub.topic_pattern);

  auto got = poll_records(*c, 30);
  ASSERT_EQ(got.size(), 30u);
  for (int32_t p = 0; p < 3; ++p) {
    EXPECT_EQ(offsets_of(got, p), range(0, 10)) << "partition " << p;
  }
  for (const auto& r : got) {
    EXPECT_EQ(r.topic, topic);
    int i = static_cast<int>(r.offset) * 3 + r.partition;  // the produced record's index
    const auto& sent = records[static_cast<size_t>(i)];
    EXPECT_EQ(r.key, sent.key) << i;
    EXPECT_EQ(r.value, sent.value) << i;
    EXPECT_EQ(r.timestamp_ms, sent.timestamp_ms) << i;
    if (i == 4) {
      ASSERT_EQ(r.headers.size(), 2u);
      EXPECT_EQ(r.headers[0].key, "h1");
      EXPECT_EQ(r.headers[0].value, "x");
      EXPECT_FALSE(r.headers[0].null_value);
      EXPECT_EQ(r.headers[1].key, "h2");
      EXPECT_TRUE(r.headers[1].null_value);
    } else {
      EXPECT_TRUE(r.headers.empty()) << i;
    }
  }
  auto assigned = c->assignment();
  ASSERT_FALSE(assigned.error);
  EXPECT_EQ(assigned.partitions,
            (std::vector<topic_partition>{{topic, 0}, {topic, 1}, {topic, 2}}));

  // A member of the group as the coordinator sees it, with its client id.
  auto members = client->group_members(group);
  EXPECT_EQ(members, std::vector<std::string>{"brook-rest-" + group + "-reader"});

  // Nothing more: the next poll waits its timeout and returns nothing.
  auto more = c->poll(200ms, consumer_instance::default_max_bytes);
  EXPECT_FALSE(more.error);
  EXPECT_TRUE(more.records.empty());
  // New records arrive at the subscribed instance.
  client->produce(topic, {value_record(1, "late")});
  auto late = poll_records(*c, 1);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].partition, 1);
  EXPECT_EQ(late[0].offset, 10);
  EXPECT_EQ(late[0].value, "late");
}

TEST_F(ConsumerRegistryTest, TwoInstancesInOneGroupSharePartitions) {
  std::string topic = unique("topic");
  std::string group = unique("group");
  client->create_topic(topic, 4);
  auto a = create(settings(group, "a"));
  auto b = create(settings(group, "b"));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_FALSE(a->subscribe({topic}, std::nullopt));
  ASSERT_FALSE(b->subscribe({topic}, std::nullopt));

  // Both must poll for the group to rebalance (a member answers a rebalance in its poll).
  std::vector<topic_partition> pa, pb;
  bool shared = eventually(
      [&] {
        EXPECT_FALSE(a->poll(100ms, 1 << 20).error);
        EXPECT_FALSE(b->poll(100ms, 1 << 20).error);
        pa = a->assignment().partitions;
        pb = b->assignment().partitions;
        return !pa.empty() && !pb.empty() && pa.size() + pb.size() == 4;
      },
      60s);
  ASSERT_TRUE(shared) << pa.size() << " + " << pb.size();
  std::set<topic_partition> all(pa.begin(), pa.end());
  all.insert(pb.begin(), pb.end());
  EXPECT_EQ(all.size(), 4u) << "the assignments overlap";
  EXPECT_EQ(client->group_members(group).size(), 2u);

  // Records of every partition reach exactly one of them.
  std::vector<produced> records;
  for (int i = 0; i < 40; ++i) {
    records.push_back(value_record(i % 4, std::to_string(i)));
  }
  client->produce(topic, records);
  std::vector<consumed_record> got_a, got_b;
  eventually(
      [&] {
        for (auto& r : a->poll(100ms, 1 << 20).records) {
          got_a.push_back(std::move(r));
        }
        for (auto& r : b->poll(100ms, 1 << 20).records) {
          got_b.push_back(std::move(r));
        }
        return got_a.size() + got_b.size() >= 40;
      },
      30s);
  EXPECT_EQ(got_a.size() + got_b.size(), 40u);
  for (const auto& r : got_a) {
    EXPECT_TRUE(std::count(pa.begin(), pa.end(), topic_partition{topic, r.partition}) == 1);
  }
  for (const auto& r : got_b) {
    EXPECT_TRUE(std::count(pb.begin(), pb.end(), topic_partition{topic, r.partition}) == 1);
  }
}

TEST_F(ConsumerRegistryTest, AssignAndSeek) {
  std::string topic = unique("topic");
  client->create_topic(topic, 2);
  std::vector<produced> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(
        value_record(i % 2, "p" + std::to_string(i % 2) + "-" + std::to_string(i / 2)));
  }
  client->produce(topic, records);

  auto s = settings(unique("group"), "c");
  s.auto_commit = false;
  auto c = create(s);
  ASSERT_NE(c, nullptr);
  ASSERT_FALSE(c->assign({{topic, 0}, {topic, 1}}));
  EXPECT_EQ(c->assignment().partitions, (std::vector<topic_partition>{{topic, 0}, {topic, 1}}));
  // Straight after assign, before any poll: the seek holds.
  ASSERT_FALSE(c->seek_to_end({{topic, 0}}));
  auto got = poll_records(*c, 5);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(offsets_of(got, 1), range(0, 5));
  EXPECT_TRUE(offsets_of(got, 0).empty());
  EXPECT_TRUE(c->poll(300ms, 1 << 20).records.empty());

  ASSERT_FALSE(c->seek({{topic, 0, 2, std::nullopt}}));
  got = poll_records(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(offsets_of(got, 0), range(2, 5));
  EXPECT_EQ(got[0].value, "p0-2");

  ASSERT_FALSE(c->seek_to_beginning({{topic, 1}}));
  got = poll_records(*c, 5);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(offsets_of(got, 1), range(0, 5));

  // Two seeks in a row, before a poll: both hold.
  ASSERT_FALSE(c->seek({{topic, 0, 4, std::nullopt}}));
  ASSERT_FALSE(c->seek({{topic, 1, 3, std::nullopt}}));
  got = poll_records(*c, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(offsets_of(got, 0), range(4, 5));
  EXPECT_EQ(offsets_of(got, 1), range(3, 5));

  auto unassigned = c->seek({{topic, 7, 0, std::nullopt}});
  ASSERT_TRUE(unassigned);
  EXPECT_EQ(unassigned->code, error_codes::illegal_state);
  EXPECT_NE(unassigned->message.find("No current assignment for partition " + topic + "-7"),
            std::string::npos)
      << unassigned->message;
  EXPECT_EQ(c->seek_to_beginning({{topic, 9}})->code, error_codes::illegal_state);
  EXPECT_EQ(c->seek({{topic, 0, -3, std::nullopt}})->code,
            error_codes::invalid_offset_or_partition);

  // A new assignment replaces the old one.
  ASSERT_FALSE(c->assign({{topic, 1}}));
  EXPECT_EQ(c->assignment().partitions, (std::vector<topic_partition>{{topic, 1}}));
  ASSERT_FALSE(c->assign({}));
  EXPECT_TRUE(c->assignment().partitions.empty());
}

// With auto commit, a new assignment commits the positions of the partitions given up (as
// Kafka's assign()), so another instance resumes there.
TEST_F(ConsumerRegistryTest, ANewAssignmentCommitsThePartitionsGivenUp) {
  std::string topic = unique("topic");
  std::string group = unique("group");
  client->create_topic(topic, 2);
  std::vector<produced> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(value_record(i % 2, std::to_string(i)));
  }
  client->produce(topic, records);
  auto a = create(settings(group, "a"));  // auto commit
  ASSERT_FALSE(a->assign({{topic, 0}, {topic, 1}}));
  ASSERT_EQ(poll_records(*a, 10).size(), 10u);
  ASSERT_FALSE(a->assign({{topic, 1}}));
  auto b = create(settings(group, "b"));
  std::vector<committed_offset> committed;
  EXPECT_TRUE(eventually([&] {
    auto got = b->committed({{topic, 0}});
    committed = got.offsets;
    return !got.error && committed.size() == 1;
  }));
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].offset, 5);
}

TEST_F(ConsumerRegistryTest, SeekOnASubscribedInstance) {
  std::string topic = unique("topic");
  client->create_topic(topic, 1);
  std::vector<produced> records;
  for (int i = 0; i < 6; ++i) {
    records.push_back(value_record(0, std::to_string(i)));
  }
  client->produce(topic, records);
  auto c = create(settings(unique("group"), "c"));
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  ASSERT_EQ(poll_records(*c, 6).size(), 6u);
  ASSERT_FALSE(c->seek({{topic, 0, 1, std::nullopt}}));
  auto got = poll_records(*c, 5);
  EXPECT_EQ(offsets_of(got, 0), range(1, 6));
}

TEST_F(ConsumerRegistryTest, SeekStraightAfterTheGroupAssigns) {
  std::string topic = unique("topic");
  client->create_topic(topic, 1);
  std::vector<produced> records;
  for (int i = 0; i < 6; ++i) {
    records.push_back(value_record(0, std::to_string(i)));
  }
  client->produce(topic, records);
  auto c = create(settings(unique("group"), "c"));
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  // max_bytes 0: the polls join the group but return nothing.
  ASSERT_TRUE(eventually([&] {
    EXPECT_TRUE(c->poll(50ms, 0).records.empty());
    return !c->assignment().partitions.empty();
  }));
  ASSERT_FALSE(c->seek({{topic, 0, 3, std::nullopt}}));
  EXPECT_EQ(offsets_of(poll_records(*c, 3), 0), range(3, 6));
}

// Assignment changes in a row, each with a seek: the last one holds.
TEST_F(ConsumerRegistryTest, AssignmentChangesInARow) {
  std::string topic = unique("topic");
  client->create_topic(topic, 2);
  std::vector<produced> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(value_record(i % 2, std::to_string(i)));
  }
  client->produce(topic, records);
  auto s = settings(unique("group"), "c");
  s.auto_commit = false;
  auto c = create(s);
  const std::vector<std::vector<topic_partition>> sequence = {
      {{topic, 0}, {topic, 1}}, {{topic, 1}}, {{topic, 0}}, {}, {{topic, 0}, {topic, 1}}};
  for (int round = 0; round < 3; ++round) {
    for (const auto& parts : sequence) {
      ASSERT_FALSE(c->assign(parts));
      if (!parts.empty()) {
        ASSERT_FALSE(c->seek_to_beginning(parts));
      }
    }
  }
  auto got = poll_records(*c, 10);
  EXPECT_EQ(offsets_of(got, 0), range(0, 5));
  EXPECT_EQ(offsets_of(got, 1), range(0, 5));
  // A partition kept by a new assignment keeps its position.
  ASSERT_FALSE(c->assign({{topic, 1}}));
  EXPECT_TRUE(c->poll(200ms, 1 << 20).records.empty());
  ASSERT_FALSE(c->unsubscribe());
  ASSERT_FALSE(c->assign({{topic, 0}}));
  ASSERT_FALSE(remove(*registry, c->group(), "c"));
}

TEST_F(ConsumerRegistryTest, OffsetResetNoneWantsASeek) {
  std::string topic = unique("topic");
  client->create_topic(topic, 1);
  client->produce(topic, {value_record(0, "a"), value_record(0, "b"), value_record(0, "c")});
  auto s = settings(unique("group"), "c");
  s.auto_offset_reset = "none";
  auto c = create(s);
  ASSERT_FALSE(c->assign({{topic, 0}}));
  auto answer = c->poll(100ms, 1 << 20);
  ASSERT_TRUE(answer.error);
  EXPECT_EQ(answer.error->code, error_codes::illegal_state);
  EXPECT_NE(answer.error->message.find(topic + "-0"), std::string::npos) << answer.error->message;
  ASSERT_FALSE(c->seek({{topic, 0, 1, std::nullopt}}));
  auto got = poll_records(*c, 2);
  EXPECT_EQ(offsets_of(got, 0), range(1, 3));
  // With a committed offset there is a position: no seek needed.
  ASSERT_FALSE(c->commit(std::nullopt));
  s.name = "d";
  auto d = create(s);
  client->produce(topic, {value_record(0, "d")});
  ASSERT_FALSE(d->assign({{topic, 0}}));
  EXPECT_EQ(offsets_of(poll_records(*d, 1), 0), range(3, 4));
}

// A partition whose position falls out of the log (records deleted) under reset `none`
// while another partition has records: the poll answers 40903 and hands out nothing, and
// no position moves (nothing is skipped for the group).
TEST_F(ConsumerRegistryTest, APartitionWithoutOffsetHoldsBackThePoll) {
  std::string topic = unique("topic");
  client->create_topic(topic, 2);
  client->produce(topic, {value_record(0, "a"), value_record(0, "b"), value_record(1, "c"),
                          value_record(1, "d")});
  auto s = settings(unique("group"), "c");
  s.auto_offset_reset = "none";
  auto c = create(s);
  ASSERT_FALSE(c->assign({{topic, 0}, {topic, 1}}));
  ASSERT_FALSE(c->seek({{topic, 0, 0, std::nullopt}, {topic, 1, 0, std::nullopt}}));
  std::promise<backend::outcome<int64_t>> deleted;
  client->backend().delete_records(
      topic, 1, 1, [&](backend::outcome<int64_t> r) { deleted.set_value(std::move(r)); });
  ASSERT_TRUE(deleted.get_future().get().has_value());
  auto held = c->poll(100ms, 1 << 20);
  ASSERT_TRUE(held.error);
  EXPECT_EQ(held.error->code, error_codes::illegal_state);
  EXPECT_NE(held.error->message.find(topic + "-1"), std::string::npos) << held.error->message;
  EXPECT_TRUE(held.records.empty());
  ASSERT_FALSE(c->seek({{topic, 1, 1, std::nullopt}}));
  auto got = poll_records(*c, 3);
  EXPECT_EQ(offsets_of(got, 0), range(0, 2));
  EXPECT_EQ(offsets_of(got, 1), range(1, 2));
}

TEST_F(ConsumerRegistryTest, SubscriptionAndAssignmentAreExclusive) {
  std::string topic = unique("topic");
  client->create_topic(topic, 1);
  auto c = create(settings(unique("group"), "c"));
  ASSERT_NE(c, nullptr);
  ASSERT_FALSE(c->assign({{topic, 0}}));
  auto sub = c->subscribe({topic}, std::nullopt);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->code, error_codes::consumer_already_subscribed);
  ASSERT_FALSE(c->unsubscribe());
  EXPECT_TRUE(c->assignment().partitions.empty());

  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  auto assign = c->assign({{topic, 0}});
  ASSERT_TRUE(assign);
  EXPECT_EQ(assign->code, error_codes::illegal_state);

  // Exactly one of topics and topic_pattern, with valid contents.
  EXPECT_EQ(c->subscribe({}, std::nullopt)->code, error_codes::unprocessable_entity);
  EXPECT_EQ(c->subscribe({}, std::string())->code, error_codes::unprocessable_entity);
  EXPECT_EQ(c->subscribe({topic}, std::string("x.*"))->code, error_codes::unprocessable_entity);
  EXPECT_EQ(c->subscribe({"^x.*"}, std::nullopt)->code, error_codes::unprocessable_entity);
  EXPECT_EQ(c->subscribe({""}, std::nullopt)->code, error_codes::unprocessable_entity);
  EXPECT_EQ(c->subscribe({}, std::string("(unclosed"))->code, error_codes::unprocessable_entity);
  // The subscription stayed as it was.
  EXPECT_EQ(c->subscription().topics, std::vector<std::string>{topic});
}

TEST_F(ConsumerRegistryTest, TopicPatternSubscription) {
  std::string prefix = unique("p");
  for (const char* t : {"-pat-a", "-pat-b", "-other"}) {
    client->create_topic(prefix + t, 1);
    client->produce(prefix + t, {value_record(0, t)});
  }
  auto c = create(settings(unique("group"), "c"));
  ASSERT_FALSE(c->subscribe({}, prefix + "-pat-.*"));
  auto sub = c->subscription();
  EXPECT_TRUE(sub.topics.empty());
  EXPECT_EQ(sub.topic_pattern, prefix + "-pat-.*");
  auto got = poll_records(*c, 2);
  std::set<std::string> topics;
  for (const auto& r : got) {
    topics.insert(r.topic);
  }
  EXPECT_EQ(topics, (std::set<std::string>{prefix + "-pat-a", prefix + "-pat-b"}));
  EXPECT_TRUE(c->poll(300ms, 1 << 20).records.empty());
  // The pattern matches whole names only.
  auto d = create(settings(unique("group2"), "d"));
  ASSERT_FALSE(d->subscribe({}, prefix + "-pat"));
  EXPECT_TRUE(d->poll(500ms, 1 << 20).records.empty());
}

TEST_F(ConsumerRegistryTest, UnsubscribeLeavesTheGroup) {
  std::string topic = unique("topic");
  std::string group = unique("group");
  client->create_topic(topic, 2);
  auto c = create(settings(group, "c"));
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  ASSERT_TRUE(eventually([&] {
    (void)c->poll(100ms, 1 << 20);
    return c->assignment().partitions.size() == 2;
  }));
  EXPECT_EQ(client->group_members(group).size(), 1u);
  ASSERT_FALSE(c->unsubscribe());
  EXPECT_TRUE(c->assignment().partitions.empty());
  EXPECT_TRUE(c->subscription().topics.empty());
  EXPECT_TRUE(eventually([&] { return client->group_members(group).empty(); }));
  EXPECT_EQ(c->poll(10ms, 1 << 20).error->code, error_codes::illegal_state);
  // And subscribes again.
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  EXPECT_TRUE(eventually([&] {
    (void)c->poll(100ms, 1 << 20);
    return c->assignment().partitions.size() == 2;
  }));
}

TEST_F(ConsumerRegistryTest, CommitCommittedAndResume) {
  std::string topic = unique("topic");
  std::string group = unique("group");
  client->create_topic(topic, 1);
  std::vector<produced> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(value_record(0, std::to_string(i)));
  }
  client->produce(topic, records);

  auto s = settings(group, "a");
  s.auto_commit = false;
  auto a = create(s);
  ASSERT_FALSE(a->subscribe({topic}, std::nullopt));
  ASSERT_EQ(poll_records(*a, 10).size(), 10u);
  auto none = a->committed({{topic, 0}});
  ASSERT_FALSE(none.error);
  EXPECT_TRUE(none.offsets.empty());
  // Confluent v2: the offset given is the last record consumed; the group resumes after it.
  ASSERT_FALSE(a->commit(std::vector<partition_offset>{{topic, 0, 6, std::string("meta")}}));
  auto committed = a->committed({{topic, 0}});
  ASSERT_FALSE(committed.error);
  ASSERT_EQ(committed.offsets.size(), 1u);
  EXPECT_EQ(committed.offsets[0].offset, 7);
  EXPECT_EQ(committed.offsets[0].metadata, "meta");
  ASSERT_FALSE(remove(*registry, group, "a"));  // no auto commit: nothing more committed

  s.name = "b";
  auto b = create(s);
  ASSERT_FALSE(b->subscribe({topic}, std::nullopt));
  auto got = poll_records(*b, 3);
  EXPECT_EQ(offsets_of(got, 0), range(7, 10));
  // Without offsets: the positions, after the last record returned.
  ASSERT_FALSE(b->commit(std::nullopt));
  committed = b->committed({{topic, 0}});
  ASSERT_EQ(committed.offsets.size(), 1u);
  EXPECT_EQ(committed.offsets[0].offset, 10);
  EXPECT_EQ(b->commit(std::vector<partition_offset>{{topic, 0, -1, std::nullopt}})->code,
            error_codes::invalid_offset_or_partition);
}

TEST_F(ConsumerRegistryTest, AutoCommitOnClose) {
  std::string topic = unique("topic");
  std::string group = unique("group");
  client->create_topic(topic, 1);
  std::vector<produced> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(value_record(0, std::to_string(i)));
  }
  client->produce(topic, records);
  auto a = create(settings(group, "a"));  // auto commit
  ASSERT_FALSE(a->subscribe({topic}, std::nullopt));
  // Values of 1 byte: at most 4 records per poll, so some are left when 4 came back.
  auto n = static_cast<int64_t>(poll_records(*a, 4, 4).size());
  ASSERT_GE(n, 4);
  ASSERT_LT(n, 10);
  ASSERT_FALSE(remove(*registry, group, "a"));

  auto b = create(settings(group, "b"));
  auto committed = b->committed({{topic, 0}});
  ASSERT_FALSE(committed.error);
  ASSERT_EQ(committed.offsets.size(), 1u);
  // Only what was returned counts as consumed, not what was read ahead.
  EXPECT_EQ(committed.offsets[0].offset, n);
  ASSERT_FALSE(b->subscribe({topic}, std::nullopt));
  EXPECT_EQ(offsets_of(poll_records(*b, static_cast<size_t>(10 - n)), 0), range(n, 10));
}

TEST_F(ConsumerRegistryTest, MaxBytesBoundsAPoll) {
  std::string topic = unique("topic");
  client->create_topic(topic, 1);
  std::vector<produced> records;
  for (int i = 0; i < 10; ++i) {
    records.push_back(value_record(0, std::string(100, static_cast<char>('a' + i))));
  }
  client->produce(topic, records);
  auto c = create(settings(unique("group"), "c"));
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  std::vector<consumed_record> got;
  auto deadline = steady_clock::now() + 30s;
  while (got.size() < 10 && steady_clock::now() < deadline) {
    auto answer = c->poll(500ms, 350);
    ASSERT_FALSE(answer.error);
    size_t bytes = 0;
    for (const auto& r : answer.records) {
      bytes += r.value->size();
    }
    EXPECT_LE(bytes, 350u);
    EXPECT_LE(answer.records.size(), 3u);
    for (auto& r : answer.records) {
      got.push_back(std::move(r));
    }
  }
  EXPECT_EQ(offsets_of(got, 0), range(0, 10));
  // A record larger than max_bytes is not returned (Confluent does the same).
  client->produce(topic, {value_record(0, std::string(500, 'z'))});
  EXPECT_TRUE(c->poll(300ms, 100).records.empty());
  auto big = poll_records(*c, 1);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_EQ(big[0].offset, 10);
}

TEST_F(ConsumerRegistryTest, LatestStartsAtTheEnd) {
  std::string topic = unique("topic");
  client->create_topic(topic, 1);
  client->produce(topic, {value_record(0, "old")});
  auto s = settings(unique("group"), "c");
  s.auto_offset_reset = "latest";
  auto c = create(s);
  ASSERT_FALSE(c->subscribe({topic}, std::nullopt));
  ASSERT_TRUE(eventually([&] {
    EXPECT_TRUE(c->poll(100ms, 1 << 20).records.empty());
    return !c->assignment().partitions.empty();
  }));
  client->produce(topic, {value_record(0, "new")});
  auto got = poll_records(*c, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, "new");
  EXPECT_EQ(got[0].offset, 1);
}

}  // namespace
}  // namespace brook::http::rest
