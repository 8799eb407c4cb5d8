// An agent's key login over the registry store (registry.db in a temporary directory), the
// user directory and Brook's own token issuer, with a clock the test moves.
#include "registry/agent_key_login.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <mutex>

#include "app/sqlite_agent_store.h"
#include "base/base64.h"
#include "security/scram_credential.h"
#include "security/user_directory.h"
#include "support/temp_dir.h"

namespace brook::registry {
namespace {

using namespace std::chrono_literals;

// An Ed25519 key pair: the public half as the registry takes it, and signatures.
class agent_key {
 public:
  agent_key() : _key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free) {}
  std::string public_base64() const {
    std::string raw(32, '\0');
    size_t len = raw.size();
    EVP_PKEY_get_raw_public_key(_key.get(), reinterpret_cast<unsigned char*>(raw.data()), &len);
    return base64_encode(raw);
  }
  std::string sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::string sig(64, '\0');
    size_t len = sig.size();
    EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, _key.get());
    EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(message.data()), message.size());
    return base64_encode(sig);
  }

 private:
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> _key;
};

struct KeyLogin : ::testing::Test {
  void SetUp() override {
    auto s = app::sqlite_agent_store::open(dir.path() / app::sqlite_agent_store::file_name);
    ASSERT_TRUE(s);
    store = std::move(*s);
    auto u = security::user_directory::open(dir.path());
    ASSERT_TRUE(u);
    users = std::move(*u);
    auto t = security::local_token_issuer::open(dir.path(), *users, {});
    ASSERT_TRUE(t);
    tokens = std::move(*t);
    key_login_options o;
    o.challenge_lifetime = 60s;
    o.max_challenges = 40;
    o.max_per_agent = 3;
    o.now = [this] {
      std::lock_guard lock(clock_mutex);
      return now;
    };
    login = std::make_unique<agent_key_login>(*store, *tokens, nullptr, o);
  }
  // An active agent with the key's public half (or none) and a login.
  std::string add_agent(const std::string& id, const agent_key* key, std::string state = "active") {
    agent_record a;
    a.id = id;
    a.name = "agent " + id;
    a.owner = "User:alice";
    a.topic = "topic-" + id;
    a.state = std::move(state);
    if (key != nullptr) {
      a.public_key = key->public_base64();
    }
    EXPECT_EQ(store->claim(a, std::nullopt)->outcome, agent_store::claim_outcome::claimed);
    EXPECT_TRUE(users->put(
        agent_registry::username_of(id),
        security::scram_credential_from_password(security::scram_mechanism::sha512, "pw", 4096)));
    return id;
  }
  registry_result<agent_key_login::login> answer(const std::string& id, const std::string& c,
                                                 const std::string& signature) {
    return login->answer(id, c, signature, "127.0.0.1", "http");
  }
  std::string challenge(const std::string& id) {
    auto c = login->challenge_for(id);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? c->text : std::string();
  }
  void advance(std::chrono::milliseconds d) {
    std::lock_guard lock(clock_mutex);
    now += d;
  }

  test::temp_dir dir;
  std::unique_ptr<app::sqlite_agent_store> store;
  std::unique_ptr<security::user_directory> users;
  std::unique_ptr<security::local_token_issuer> tokens;
  std::unique_ptr<agent_key_login> login;
  std::mutex clock_mutex;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

TEST_F(KeyLogin, ASignedChallengeGivesATokenOnceAndOnlyForItsAgent) {
  agent_key key;
  add_agent("a1", &key);
  auto c = challenge("a1");
  EXPECT_TRUE(c.starts_with("brook-agent-login:a1:")) << c;
  auto ok = answer("a1", c, key.sign(c));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->username, "agent-a1");
  {
    security::jwt_validator v({tokens->trusted()});
    std::optional<security::token_verdict> verdict;
    v.validate(ok->token, [&](security::token_verdict t) { verdict = std::move(t); });
    ASSERT_TRUE(verdict && verdict->who) << (verdict ? verdict->reason : "");
    EXPECT_EQ(verdict->who->to_string(), "User:agent-a1");
  }
  auto replay = answer("a1", c, key.sign(c));
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().status, 401);
  EXPECT_NE(replay.error().message.find("unknown or used"), std::string::npos);
}

TEST_F(KeyLogin, WrongKeyExpiredAndForeignChallengesAreRefused) {
  agent_key key;
  agent_key other;
  add_agent("a1", &key);
  add_agent("a2", &other);
  auto c = challenge("a1");
  auto wrong = answer("a1", c, other.sign(c));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, 40101);
  EXPECT_FALSE(answer("a1", c, key.sign(c)));  // used up by the wrong answer

  c = challenge("a1");
  advance(60s);
  auto late = answer("a1", c, key.sign(c));
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos) << late.error().message;

  c = challenge("a2");
  auto foreign = answer("a1", c, other.sign(c));
  ASSERT_FALSE(foreign);
  EXPECT_NE(foreign.error().message.find("another agent's"), std::string::npos);

  c = challenge("a1");
  for (const auto* bad : {"", "%%%", "QUJD"}) {  // empty, not base64, 3 bytes
    EXPECT_FALSE(answer("a1", c, bad));
    c = challenge("a1");
  }
  EXPECT_TRUE(answer("a1", c, key.sign(c)));
}

TEST_F(KeyLogin, OnlyActiveAgentsWithAKeyGetChallenges) {
  agent_key key;
  add_agent("plain", nullptr);
  add_agent("off", &key, "disabled");
  EXPECT_EQ(login->challenge_for("missing").error().status, 404);
  EXPECT_EQ(login->challenge_for("plain").error().status, 409);
  EXPECT_EQ(login->challenge_for("off").error().status, 409);
  // Disabled after the challenge was given: the answer is refused.
  add_agent("a1", &key);
  auto c = challenge("a1");
  auto a = store->get("a1");
  auto record = **a;
  record.state = "disabled";
  ASSERT_TRUE(store->update(record));
  EXPECT_EQ(answer("a1", c, key.sign(c)).error().status, 401);
}

TEST_F(KeyLogin, OutstandingChallengesAreBoundedPerAgentAndInAll) {
  agent_key key;
  add_agent("a1", &key);
  // A fourth challenge voids the agent's oldest (3 per agent here).
  std::vector<std::string> given;
  for (int i = 0; i < 4; ++i) {
    given.push_back(challenge("a1"));
  }
  EXPECT_FALSE(answer("a1", given[0], key.sign(given[0])));
  EXPECT_TRUE(answer("a1", given[3], key.sign(given[3])));
  // 40 in all: then 503 until some expire.
  for (int i = 0; i < 14; ++i) {
    agent_key k;
    add_agent("b" + std::to_string(i), &k);
    for (int j = 0; j < 3; ++j) {
      auto c = login->challenge_for("b" + std::to_string(i));
      if (!c) {
        EXPECT_EQ(c.error().status, 503);
        EXPECT_GE(i * 3 + j + 2, 40);  // a1's two left, and the others given so far
        advance(61s);
        EXPECT_TRUE(login->challenge_for("b" + std::to_string(i)));
        return;
      }
    }
  }
  FAIL() << "no challenge was refused";
}

}  // namespace
}  // namespace brook::registry
