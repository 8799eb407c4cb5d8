#include "app/sqlite_agent_store.h"

#include <gtest/gtest.h>

#include "storage/group_store.h"
#include "support/temp_dir.h"

namespace brook::app {
namespace {

using outcome = sqlite_agent_store::claim_outcome;

std::unique_ptr<sqlite_agent_store> open_store(const std::filesystem::path& path) {
  auto store = sqlite_agent_store::open(path);
  EXPECT_TRUE(store) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

registry::agent_record agent(std::string id, std::string topic, std::string owner = "User:alice") {
  registry::agent_record a;
  a.id = std::move(id);
  a.name = "agent " + a.id;
  a.owner = std::move(owner);
  a.topic = std::move(topic);
  a.state = "creating";
  a.partitions = 3;
  a.retention_ms = 86400000;
  a.metadata = R"({"team":"x"})";
  a.public_key = "MCowBQYDK2VwAyEA";
  return a;
}

class SqliteAgentStoreTest : public ::testing::Test {
 protected:
  test::temp_dir dir;
  std::filesystem::path path = dir.path() / sqlite_agent_store::file_name;
};

TEST_F(SqliteAgentStoreTest, AClaimIsStoredWholeAndSurvivesAReopen) {
  {
    auto s = open_store(path);
    auto c = s->claim(agent("a1", "brave-otter-lantern"), std::string("key-1"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->outcome, outcome::claimed);
  }
  auto s = open_store(path);
  auto got = s->get("a1");
  ASSERT_TRUE(got && *got);
  auto want = agent("a1", "brave-otter-lantern");
  EXPECT_EQ((*got)->topic, want.topic);
  EXPECT_EQ((*got)->partitions, 3);
  EXPECT_EQ((*got)->retention_ms, 86400000);
  EXPECT_EQ((*got)->metadata, want.metadata);
  EXPECT_EQ((*got)->public_key, want.public_key);
  EXPECT_GT((*got)->created_at_ms, 0);
  EXPECT_EQ((*got)->created_at_ms, (*got)->updated_at_ms);
  EXPECT_TRUE(s->name_used("brave-otter-lantern").value());
  EXPECT_FALSE(s->name_used("other-name").value());
}

TEST_F(SqliteAgentStoreTest, ATakenNameOrIdStoresNothing) {
  auto s = open_store(path);
  ASSERT_EQ(s->claim(agent("a1", "one-two-three"), std::nullopt)->outcome, outcome::claimed);
  EXPECT_EQ(s->claim(agent("a2", "one-two-three"), std::string("k"))->outcome, outcome::name_taken);
  EXPECT_EQ(s->claim(agent("a1", "four-five-six"), std::string("k"))->outcome, outcome::id_taken);
  EXPECT_FALSE(s->get("a2").value().has_value());
  EXPECT_FALSE(s->name_used("four-five-six").value());
  // The key was not recorded by either refusal: it claims a new agent now.
  EXPECT_EQ(s->claim(agent("a3", "seven-eight-nine"), std::string("k"))->outcome, outcome::claimed);
}

TEST_F(SqliteAgentStoreTest, AnOwnersKeyGivesBackItsAgentAnotherOwnersDoesNot) {
  auto s = open_store(path);
  ASSERT_EQ(s->claim(agent("a1", "n-one"), std::string("retry-me"))->outcome, outcome::claimed);
  auto again = s->claim(agent("a2", "n-two"), std::string("retry-me"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, outcome::idempotent);
  ASSERT_TRUE(again->existing);
  EXPECT_EQ(again->existing->id, "a1");
  EXPECT_FALSE(s->name_used("n-two").value());
  // The same key of another owner is another key.
  EXPECT_EQ(s->claim(agent("a3", "n-three", "User:bob"), std::string("retry-me"))->outcome,
            outcome::claimed);
}

TEST_F(SqliteAgentStoreTest, ListsByOwnerInPagesAndByState) {
  auto s = open_store(path);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(s->claim(agent("a" + std::to_string(i), "t" + std::to_string(i),
                               i % 2 == 0 ? "User:alice" : "User:bob"),
                         std::nullopt));
  }
  auto page1 = s->list(std::nullopt, "", 2).value();
  ASSERT_EQ(page1.size(), 2U);
  EXPECT_EQ(page1[0].id, "a0");
  EXPECT_EQ(page1[1].id, "a1");
  auto page2 = s->list(std::nullopt, page1.back().id, 10).value();
  ASSERT_EQ(page2.size(), 3U);
  EXPECT_EQ(page2[0].id, "a2");
  auto alice = s->list(std::string("User:alice"), "", 10).value();
  ASSERT_EQ(alice.size(), 3U);
  for (const auto& a : alice) {
    EXPECT_EQ(a.owner, "User:alice");
  }
  auto a1 = s->get("a1").value().value();
  a1.state = "active";
  ASSERT_TRUE(s->update(a1).value());
  auto active = s->in_state("active").value();
  ASSERT_EQ(active.size(), 1U);
  EXPECT_EQ(active[0].id, "a1");
  EXPECT_EQ(s->in_state("creating").value().size(), 4U);
}

TEST_F(SqliteAgentStoreTest, UpdateChangesOnlyWhatMayChange) {
  auto s = open_store(path);
  ASSERT_TRUE(s->claim(agent("a1", "t1"), std::nullopt));
  auto before = s->get("a1").value().value();
  auto changed = before;
  changed.name = "renamed";
  changed.state = "disabled";
  changed.retention_ms.reset();
  changed.metadata = "{}";
  changed.public_key.reset();
  changed.topic = "not-this";
  changed.owner = "User:mallory";
  changed.partitions = 99;
  ASSERT_TRUE(s->update(changed).value());
  auto after = s->get("a1").value().value();
  EXPECT_EQ(after.name, "renamed");
  EXPECT_EQ(after.state, "disabled");
  EXPECT_FALSE(after.retention_ms.has_value());
  EXPECT_EQ(after.metadata, "{}");
  EXPECT_FALSE(after.public_key.has_value());
  EXPECT_EQ(after.topic, "t1");
  EXPECT_EQ(after.owner, "User:alice");
  EXPECT_EQ(after.partitions, 3);
  EXPECT_GE(after.updated_at_ms, before.updated_at_ms);
  EXPECT_FALSE(s->update(agent("nobody", "x")).value());
}

TEST_F(SqliteAgentStoreTest, RemovalKeepsTheNameUsedUnlessReleasedAndDropsTheKeys) {
  auto s = open_store(path);
  ASSERT_TRUE(s->claim(agent("a1", "kept-name"), std::string("k1")));
  ASSERT_TRUE(s->claim(agent("a2", "freed-name"), std::string("k2")));
  EXPECT_TRUE(s->remove("a1", false).value());
  EXPECT_TRUE(s->remove("a2", true).value());
  EXPECT_FALSE(s->remove("a2", true).value());
  EXPECT_FALSE(s->get("a1").value().has_value());
  EXPECT_TRUE(s->name_used("kept-name").value());
  EXPECT_FALSE(s->name_used("freed-name").value());
  EXPECT_EQ(s->claim(agent("a3", "kept-name"), std::nullopt)->outcome, outcome::name_taken);
  // The removed agent's key is free again.
  EXPECT_EQ(s->claim(agent("a4", "other"), std::string("k1"))->outcome, outcome::claimed);
}

TEST_F(SqliteAgentStoreTest, AnotherStoresDatabaseIsRefusedUnchanged) {
  {
    auto groups = storage::group_store::open(path, true);
    ASSERT_TRUE(groups) << groups.error().message();
  }
  auto s = sqlite_agent_store::open(path);
  ASSERT_FALSE(s);
}

}  // namespace
}  // namespace brook::app
