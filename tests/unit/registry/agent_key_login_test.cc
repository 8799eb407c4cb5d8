// An agent's key login over the registry store (registry.db in a temporary directory), the
// user directory and Brook's own token issuer, with a clock the test moves.
#include "registry/agent_key_login.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <mutex>

#include "app/sqlite_agent_store.h"
#include "base/base64.h"
#include "security/audit_log.h"
#include "security/login_guard.h"
#include "security/login_limiter.h"
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
    o.max_remembered = 40;
    o.now = [this] {
      std::lock_guard lock(clock_mutex);
      return now;
    };
    login = std::make_unique<agent_key_login>(*store, *tokens, &guard, o);
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

  // What the guard recorded (published as the server would): the audit of the answers.
  std::vector<std::string> audited() {
    audit.stop();
    std::lock_guard lock(audit_mutex);
    return audit_records;
  }

  test::temp_dir dir;
  std::mutex audit_mutex;
  std::vector<std::string> audit_records;
  security::audit_log audit{
      [this](std::vector<std::string> records, const std::function<void(bool)>& done) {
        {
          std::lock_guard lock(audit_mutex);
          audit_records.insert(audit_records.end(), records.begin(), records.end());
        }
        done(true);
      }};
  security::login_limiter limiter{security::login_limits{}};
  security::login_guard guard{limiter, &audit};
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
  EXPECT_NE(replay.error().message.find("used already"), std::string::npos);
  // A challenge changed by one character is not this server's.
  auto forged = challenge("a1");
  forged[forged.size() - 30] = forged[forged.size() - 30] == 'A' ? 'B' : 'A';
  auto refused = answer("a1", forged, key.sign(forged));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("not one this server gave"), std::string::npos);
  // Audited: the success and the replay as agent-a1's; the forgery as nobody's.
  auto records = audited();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[0].find(R"("outcome":"success")"), std::string::npos) << records[0];
  EXPECT_NE(records[0].find(R"("mechanism":"AGENT-KEY")"), std::string::npos) << records[0];
  EXPECT_NE(records[1].find(R"("user":"agent-a1")"), std::string::npos) << records[1];
  EXPECT_EQ(records[2].find("agent-a1"), std::string::npos) << records[2];
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

TEST_F(KeyLogin, ChallengesAreNotStoredAndAnswersAreRememberedUntilTheyExpire) {
  agent_key key;
  add_agent("a1", &key);
  // Many challenges void none: the first one asked for still logs in.
  auto first = challenge("a1");
  for (int i = 0; i < 100; ++i) {
    challenge("a1");
  }
  EXPECT_TRUE(answer("a1", first, key.sign(first)));
  // 40 answers remembered at most (here): the 41st in the same minute is refused with 503,
  // and once they expire there is room again.
  for (int i = 1; i < 40; ++i) {
    auto c = challenge("a1");
    EXPECT_TRUE(answer("a1", c, key.sign(c))) << i;
  }
  auto c = challenge("a1");
  auto full = answer("a1", c, key.sign(c));
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().status, 503);
  advance(61s);
  c = challenge("a1");
  EXPECT_TRUE(answer("a1", c, key.sign(c)));
}

}  // namespace
}  // namespace brook::registry
