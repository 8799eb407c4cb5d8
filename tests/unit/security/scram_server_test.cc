#include "security/scram_server.h"

#include <gtest/gtest.h>

#include <map>

#include "base/base64.h"
#include "security/plain_server.h"

namespace brook::security {
namespace {

// Users in a map; unknown users get a decoy that nothing matches.
class test_users final : public credential_source {
 public:
  void add(const std::string& user, const scram_credential& c) { _map[{user, c.mechanism}] = c; }
  std::optional<scram_credential> find(std::string_view user, scram_mechanism m) const override {
    auto it = _map.find({std::string(user), m});
    if (it == _map.end()) {
      return std::nullopt;
    }
    return it->second;
  }
  scram_credential decoy(std::string_view, scram_mechanism m) const override {
    return scram_credential_from_password(m, "decoy password nobody knows");
  }

 private:
  std::map<std::pair<std::string, scram_mechanism>, scram_credential> _map;
};

sasl_step run(sasl_server& s, std::string_view message) {
  sasl_step out;
  bool called = false;
  s.step(message, [&](sasl_step st) {
    out = std::move(st);
    called = true;
  });
  EXPECT_TRUE(called);
  return out;
}

// RFC 7677 section 3: user "user", password "pencil".
constexpr const char* rfc_client_nonce = "rOprNGfwEbeRWgbNEkqO";
constexpr const char* rfc_server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr const char* rfc_client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

test_users rfc_users() {
  test_users users;
  const std::string salt = *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  users.add("user",
            scram_credential_from_salted(scram_mechanism::sha256,
                                         pbkdf2(digest::sha256, "pencil", salt, 4096), salt, 4096));
  return users;
}

TEST(ScramServer, Rfc7677ExchangeSucceedsWithTheRfcServerSignature) {
  auto users = rfc_users();
  scram_server s(scram_mechanism::sha256, users, rfc_server_nonce);
  auto first = run(s, std::string("n,,n=user,r=") + rfc_client_nonce);
  ASSERT_EQ(first.outcome, sasl_step::state::challenge) << first.reason;
  EXPECT_EQ(first.response,
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
            "i=4096");
  auto final = run(s, rfc_client_final);
  ASSERT_EQ(final.outcome, sasl_step::state::success) << final.reason;
  EXPECT_EQ(final.response, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  EXPECT_EQ(s.authenticated().to_string(), "User:user");
  // Nothing is accepted after the end.
  EXPECT_EQ(run(s, rfc_client_final).outcome, sasl_step::state::failure);
}

TEST(ScramServer, ATamperedProofFails) {
  auto users = rfc_users();
  scram_server s(scram_mechanism::sha256, users, rfc_server_nonce);
  run(s, std::string("n,,n=user,r=") + rfc_client_nonce);
  std::string tampered = rfc_client_final;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  auto final = run(s, tampered);
  EXPECT_EQ(final.outcome, sasl_step::state::failure);
  EXPECT_EQ(final.reason, "invalid credentials");
  EXPECT_TRUE(final.response.empty());
}

TEST(ScramServer, AWrongNonceFails) {
  auto users = rfc_users();
  scram_server s(scram_mechanism::sha256, users, "another-server-nonce");
  run(s, std::string("n,,n=user,r=") + rfc_client_nonce);
  // The RFC's final message carries the RFC's server nonce, not this server's.
  auto final = run(s, rfc_client_final);
  EXPECT_EQ(final.outcome, sasl_step::state::failure);
  EXPECT_EQ(final.reason, "the nonce does not match");
}

TEST(ScramServer, AReplayedExchangeFailsAgainstAFreshNonce) {
  auto users = rfc_users();
  scram_server s(scram_mechanism::sha256, users);  // a random nonce, as in service
  auto first = run(s, std::string("n,,n=user,r=") + rfc_client_nonce);
  ASSERT_EQ(first.outcome, sasl_step::state::challenge);
  EXPECT_EQ(run(s, rfc_client_final).outcome, sasl_step::state::failure);
}

TEST(ScramServer, AnUnknownUserLooksLikeAWrongPassword) {
  auto users = rfc_users();
  scram_server s(scram_mechanism::sha256, users, rfc_server_nonce);
  auto first = run(s, std::string("n,,n=nobody,r=") + rfc_client_nonce);
  ASSERT_EQ(first.outcome, sasl_step::state::challenge) << first.reason;
  EXPECT_NE(first.response.find(",i=4096"), std::string::npos);
  EXPECT_EQ(s.attempted_user(), "nobody");
}

TEST(ScramServer, MalformedAndRefusedClientFirstMessages) {
  auto users = rfc_users();
  const std::string bad_messages[] = {"",
                                      "n",
                                      "x,,n=user,r=abc",
                                      "p=tls-unique,,n=user,r=abc",
                                      "n,,r=abc,n=user",
                                      "n,,n=,r=abc",
                                      "n,,n=us=er,r=abc",
                                      "n,,n=user",
                                      "n,,n=user,r=",
                                      "n,a=admin,n=user,r=abc",
                                      "n,,m=ext,n=user,r=abc",
                                      "n,,n=user,r=abc,tokenauth=true",
                                      std::string("n,,n=user,r=a\0b", 15),
                                      "n,,n=user,r=abc,,"};
  for (const std::string& bad : bad_messages) {
    scram_server s(scram_mechanism::sha256, users);
    auto step = run(s, bad);
    EXPECT_EQ(step.outcome, sasl_step::state::failure) << bad;
    EXPECT_FALSE(step.reason.empty());
  }
}

TEST(ScramServer, EscapedUserNamesAreDecoded) {
  test_users users;
  users.add("a,b=c", scram_credential_from_password(scram_mechanism::sha512, "pw"));
  scram_server s(scram_mechanism::sha512, users);
  auto first = run(s, "n,,n=a=2Cb=3Dc,r=abc");
  ASSERT_EQ(first.outcome, sasl_step::state::challenge) << first.reason;
  EXPECT_EQ(s.attempted_user(), "a,b=c");
}

TEST(ScramServer, AMismatchedChannelBindingFails) {
  auto users = rfc_users();
  scram_server s(scram_mechanism::sha256, users, rfc_server_nonce);
  run(s, std::string("n,,n=user,r=") + rfc_client_nonce);
  std::string final = rfc_client_final;
  final.replace(0, 6, "c=eSws");  // "y,," instead of "n,,"
  EXPECT_EQ(run(s, final).reason, "the channel binding does not match the client-first message");
}

// A SCRAM-SHA-512 client, written from RFC 5802's formulas.
TEST(ScramServer, Sha512ExchangeWithAClientComputedHere) {
  test_users users;
  users.add("alice", scram_credential_from_password(scram_mechanism::sha512, "s3cret", 8192));
  scram_server s(scram_mechanism::sha512, users);
  const std::string client_first_bare = "n=alice,r=clientnonce";
  auto first = run(s, "n,," + client_first_bare);
  ASSERT_EQ(first.outcome, sasl_step::state::challenge);
  // r=<nonce>,s=<salt>,i=<n>
  const auto& sf = first.response;
  const std::string nonce = sf.substr(2, sf.find(",s=") - 2);
  const std::string salt =
      *base64_decode(sf.substr(sf.find(",s=") + 3, sf.find(",i=") - sf.find(",s=") - 3));
  const int iterations = std::stoi(sf.substr(sf.find(",i=") + 3));
  EXPECT_EQ(iterations, 8192);
  EXPECT_EQ(nonce.rfind("clientnonce", 0), 0U);
  const std::string salted = pbkdf2(digest::sha512, "s3cret", salt, iterations);
  const std::string client_key = hmac(digest::sha512, salted, "Client Key");
  const std::string without_proof = "c=biws,r=" + nonce;
  const std::string auth_message = client_first_bare + "," + sf + "," + without_proof;
  const std::string signature =
      hmac(digest::sha512, hash(digest::sha512, client_key), auth_message);
  std::string proof = client_key;
  for (size_t i = 0; i < proof.size(); ++i) {
    proof[i] = static_cast<char>(proof[i] ^ signature[i]);
  }
  auto final = run(s, without_proof + ",p=" + base64_encode(proof));
  ASSERT_EQ(final.outcome, sasl_step::state::success) << final.reason;
  const std::string server_key = hmac(digest::sha512, salted, "Server Key");
  EXPECT_EQ(final.response, "v=" + base64_encode(hmac(digest::sha512, server_key, auth_message)));
}

TEST(PlainServer, RightAndWrongPasswords) {
  test_users users;
  users.add("bob", scram_credential_from_password(scram_mechanism::sha256, "hunter2"));
  {
    plain_server s(users);
    auto step = run(s, std::string("\0bob\0hunter2", 12));
    ASSERT_EQ(step.outcome, sasl_step::state::success) << step.reason;
    EXPECT_EQ(s.authenticated().to_string(), "User:bob");
  }
  {
    plain_server s(users);
    EXPECT_EQ(run(s, std::string("bob\0bob\0hunter2", 15)).outcome, sasl_step::state::success);
  }
  for (const std::string& bad :
       {std::string("\0bob\0hunter3", 12), std::string("\0eve\0hunter2", 12),
        std::string("eve\0bob\0hunter2", 15), std::string("\0bob\0", 5),
        std::string("\0\0hunter2", 9), std::string("bob hunter2"),
        std::string("\0bob\0hunter2\0", 13), std::string()}) {
    plain_server s(users);
    auto step = run(s, bad);
    EXPECT_EQ(step.outcome, sasl_step::state::failure);
    EXPECT_FALSE(step.reason.empty());
  }
}

}  // namespace
}  // namespace brook::security

namespace brook::security {
namespace {

// librdkafka up to 2.x repeats its client nonce in client-final ("r=<cnonce><nonce>");
// Kafka accepts any nonce that ends with the server-first one, and so does Brook.
TEST(ScramServer, AClientFinalNonceThatEndsWithTheNonceIsAccepted) {
  test_users users;
  users.add("u", scram_credential_from_password(scram_mechanism::sha256, "pw"));
  scram_server s(scram_mechanism::sha256, users);
  const std::string client_first_bare = "n=u,r=cn";
  auto first = run(s, "n,," + client_first_bare);
  ASSERT_EQ(first.outcome, sasl_step::state::challenge);
  const auto& sf = first.response;
  const std::string nonce = sf.substr(2, sf.find(",s=") - 2);
  const std::string salt =
      *base64_decode(sf.substr(sf.find(",s=") + 3, sf.find(",i=") - sf.find(",s=") - 3));
  const std::string salted = pbkdf2(digest::sha256, "pw", salt, 4096);
  const std::string client_key = hmac(digest::sha256, salted, "Client Key");
  const std::string without_proof = "c=biws,r=cn" + nonce;  // the client nonce twice
  const std::string auth_message = client_first_bare + "," + sf + "," + without_proof;
  const std::string signature =
      hmac(digest::sha256, hash(digest::sha256, client_key), auth_message);
  std::string proof = client_key;
  for (size_t i = 0; i < proof.size(); ++i) {
    proof[i] = static_cast<char>(proof[i] ^ signature[i]);
  }
  auto final = run(s, without_proof + ",p=" + base64_encode(proof));
  EXPECT_EQ(final.outcome, sasl_step::state::success) << final.reason;
}

}  // namespace
}  // namespace brook::security
