#include "app/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "support/temp_dir.h"

namespace brook::app {
namespace {

// The error's message, or "" when there is none.
template <typename T>
std::string refusal(const outcome<T>& r) {
  return r ? std::string() : r.error();
}

auto env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

std::filesystem::path write_file(const test::temp_dir& dir, const std::string& text) {
  auto p = dir / "brook.toml";
  std::ofstream(p) << text;
  return p;
}

TEST(Config, DefaultsAreWhatANewUserNeeds) {
  auto c = load_config(std::nullopt, env_of({}));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->data_dir, "./data");
  EXPECT_EQ(c->storage.durability, storage::durability::sync);
  EXPECT_EQ(c->storage.segment_bytes, 1024u * 1024 * 1024);
}

TEST(Config, FileThenEnvironmentPrecedence) {
  test::temp_dir dir;
  auto p = write_file(dir,
                      "data_dir = \"/srv/brook\"\n[storage]\nsegment_bytes = 4096\n"
                      "durability = \"interval\"\nflush_interval_ms = 50\n");
  auto c = load_config(p, env_of({{"BROOK_STORAGE_SEGMENT_BYTES", "8192"}}));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->data_dir, "/srv/brook");
  EXPECT_EQ(c->storage.segment_bytes, 8192u);
  EXPECT_EQ(c->storage.durability, storage::durability::interval);
  EXPECT_EQ(c->storage.flush_interval.count(), 50);
}

TEST(Config, UnknownKeyIsAnError) {
  test::temp_dir dir;
  auto c = load_config(write_file(dir, "[storage]\nsegment_byte = 4096\n"), env_of({}));
  EXPECT_NE(refusal(c).find("unknown setting 'storage.segment_byte'"), std::string::npos)
      << refusal(c);
}

TEST(Config, MalformedTomlNamesTheLine) {
  test::temp_dir dir;
  auto c = load_config(write_file(dir, "data_dir = \"x\"\n[storage\n"), env_of({}));
  EXPECT_NE(refusal(c).find("brook.toml:2"), std::string::npos) << refusal(c);
}

TEST(Config, WrongTypeIsAnError) {
  test::temp_dir dir;
  auto c = load_config(write_file(dir, "[storage]\nsegment_bytes = [1, 2]\n"), env_of({}));
  EXPECT_NE(refusal(c).find("expected a string, an integer, a boolean or a list of strings"),
            std::string::npos)
      << refusal(c);
}

TEST(Config, ListSettingsTakeATomlArrayOrCommaSeparatedText) {
  test::temp_dir dir;
  auto c = load_config(
      write_file(dir,
                 "[http]\nallowed_hosts = [\"brook.internal\", \"brook\"]\n"
                 "cors_allowed_origins = \"https://app.example.com, http://localhost:3000\"\n"),
      env_of({}));
  ASSERT_TRUE(c.has_value()) << refusal(c);
  EXPECT_EQ(c->http.allowed_hosts, (std::vector<std::string>{"brook.internal", "brook"}));
  EXPECT_EQ(c->http.cors_allowed_origins,
            (std::vector<std::string>{"https://app.example.com", "http://localhost:3000"}));
  auto bad = load_config(std::nullopt, env_of({{"BROOK_HTTP_CORS_ALLOWED_ORIGINS", "app.com"}}));
  EXPECT_NE(refusal(bad).find("must be web origins"), std::string::npos) << refusal(bad);
  auto bad_host = load_config(std::nullopt, env_of({{"BROOK_HTTP_ALLOWED_HOSTS", "a/b"}}));
  EXPECT_NE(refusal(bad_host).find("got 'a/b'"), std::string::npos) << refusal(bad_host);
}

TEST(Config, KafkaSettingsFromFileAndEnvironment) {
  test::temp_dir dir;
  auto c = load_config(
      write_file(dir, "[kafka]\nport = 0\nauto_create_topics = false\ndefault_partitions = 6\n"),
      env_of({{"BROOK_KAFKA_ADVERTISED_HOST", "brook.internal"}}));
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(c->kafka.port, 0);
  EXPECT_FALSE(c->kafka.auto_create_topics);
  EXPECT_EQ(c->kafka.default_partitions, 6);
  EXPECT_EQ(c->kafka.advertised_host, "brook.internal");
}

TEST(Config, BadKafkaSettingsAreErrors) {
  server_config c;
  EXPECT_NE(refusal(set_config_value(c, "kafka.port", "65536")), "");
  EXPECT_NE(refusal(set_config_value(c, "kafka.port", "-1")), "");
  EXPECT_NE(refusal(set_config_value(c, "kafka.default_partitions", "0")), "");
  EXPECT_NE(refusal(set_config_value(c, "kafka.auto_create_topics", "yes")), "");
  EXPECT_NE(refusal(set_config_value(c, "kafka.max_request_bytes", "10")), "");
  EXPECT_NE(refusal(set_config_value(c, "kafka.host", "")), "");
}

TEST(Config, OutOfRangeValuesAreErrors) {
  server_config c;
  EXPECT_NE(refusal(set_config_value(c, "storage.segment_bytes", "100")), "");
  EXPECT_NE(refusal(set_config_value(c, "storage.segment_bytes", "99999999999")), "");
  EXPECT_NE(refusal(set_config_value(c, "storage.segment_bytes", "12abc")), "");
  EXPECT_NE(refusal(set_config_value(c, "storage.durability", "always")), "");
  EXPECT_NE(refusal(set_config_value(c, "log_level", "loud")), "");
  EXPECT_NE(refusal(set_config_value(c, "data_dir", "")), "");
  EXPECT_EQ(refusal(set_config_value(c, "storage.retention_bytes", "-1")), "");
}

TEST(Config, BadEnvironmentValueNamesTheVariable) {
  auto c = load_config(std::nullopt, env_of({{"BROOK_STORAGE_RETENTION_MS", "soon"}}));
  EXPECT_NE(refusal(c).find("BROOK_STORAGE_RETENTION_MS"), std::string::npos) << refusal(c);
}

TEST(Config, DefaultPartitionsAboveThePerTopicLimitIsRefused) {
  server_config c;
  c.kafka.max_partitions_per_topic = 4;
  c.kafka.default_partitions = 4;
  EXPECT_EQ(refusal(check_server_config(c)), "");
  c.kafka.default_partitions = 5;
  EXPECT_NE(refusal(check_server_config(c)).find("kafka.max_partitions_per_topic (4)"),
            std::string::npos)
      << refusal(check_server_config(c));
}

TEST(Config, WildcardAddressesAreNotAdvertised) {
  server_config c;
  EXPECT_EQ(refusal(check_server_config(c)), "");
  c.security.allow_unauthenticated_remote = true;
  c.kafka.host = "0.0.0.0";
  EXPECT_NE(refusal(check_server_config(c)).find("set --advertised-host"), std::string::npos);
  c.kafka.host = "::";
  EXPECT_NE(refusal(check_server_config(c)), "");
  c.kafka.advertised_host = "brook.internal";
  EXPECT_EQ(refusal(check_server_config(c)), "");
  c.kafka.advertised_host = "0.0.0.0";
  EXPECT_NE(refusal(check_server_config(c)), "");
  c.kafka.advertised_host = "[::]";
  EXPECT_NE(refusal(check_server_config(c)), "");
  c.kafka.host = "127.0.0.1";
  c.kafka.advertised_host = "";
  c.http.host = "0.0.0.0";  // HTTP tells clients no address
  c.security.http_authentication = "basic";
  EXPECT_EQ(refusal(check_server_config(c)), "");
}

TEST(Config, HttpOnEveryInterfaceWithoutLoginsIsRefused) {
  server_config c;
  c.http.host = "0.0.0.0";
  EXPECT_NE(refusal(check_server_config(c)).find("http.authentication"), std::string::npos);
  c.security.http_authentication = "basic";
  EXPECT_EQ(refusal(check_server_config(c)), "");
  c.security.http_authentication = "auto";  // no Kafka listener authenticates: none
  EXPECT_NE(refusal(check_server_config(c)), "");
  c.security.allow_unauthenticated_remote = true;
  EXPECT_EQ(refusal(check_server_config(c)), "");
  c.http.host = "127.0.0.1";
  c.security.allow_unauthenticated_remote = false;
  EXPECT_EQ(refusal(check_server_config(c)), "");
}

TEST(Config, HttpLoginsFollowTheListenersUnderAuto) {
  server_config c;
  EXPECT_FALSE(http_logins_required(c));
  c.listeners = "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://127.0.0.1:9093";
  EXPECT_TRUE(http_logins_required(c));
  c.security.http_authentication = "none";
  EXPECT_FALSE(http_logins_required(c));
  c.listeners.clear();
  c.security.http_authentication = "basic";
  EXPECT_TRUE(http_logins_required(c));
}

TEST(Config, MissingFileIsAnError) {
  auto c = load_config(std::filesystem::path("/nonexistent/brook.toml"), env_of({}));
  EXPECT_NE(refusal(c), "");
}

}  // namespace
}  // namespace brook::app

namespace brook::app {
namespace {

TEST(Config, UnauthenticatedListenersOnPublicAddressesAreRefused) {
  server_config c;
  c.kafka.host = "10.1.2.3";
  auto why = refusal(check_server_config(c));
  EXPECT_NE(why.find("lets anyone who can reach it read and write everything"), std::string::npos)
      << why;
  EXPECT_NE(why.find("--allow-unauthenticated-remote"), std::string::npos);
  c.security.allow_unauthenticated_remote = true;
  EXPECT_EQ(refusal(check_server_config(c)), "");

  server_config s;
  s.listeners = "PLAINTEXT://127.0.0.1:9092,SASL_PLAINTEXT://10.1.2.3:9093";
  EXPECT_EQ(refusal(check_server_config(s)), "");
  s.listeners = "PLAINTEXT://10.1.2.3:9092,SASL_PLAINTEXT://10.1.2.3:9093";
  EXPECT_NE(refusal(check_server_config(s)).find("listener PLAINTEXT on 10.1.2.3"),
            std::string::npos);
  s.listeners = "PLAINTEXT://[::1]:9092,SASL_PLAINTEXT://0.0.0.0:9093";
  EXPECT_NE(refusal(check_server_config(s)).find("kafka.advertised_listeners"), std::string::npos);
  s.advertised_listeners = "SASL_PLAINTEXT://broker.example.com:9093";
  EXPECT_EQ(refusal(check_server_config(s)), "");
}

TEST(Config, ListenersDefaultToKafkaHostAndPort) {
  server_config c;
  c.kafka.port = 19092;
  auto l = listeners_of(c);
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 1U);
  EXPECT_EQ((*l)[0].name, "PLAINTEXT");
  EXPECT_EQ((*l)[0].port, 19092);
  c.advertised_listeners = "PLAINTEXT://h:1";
  EXPECT_FALSE(listeners_of(c));
  c.advertised_listeners.clear();
  c.listeners = "SASL_PLAINTEXT://127.0.0.1:0";
  l = listeners_of(c);
  ASSERT_TRUE(l);
  EXPECT_EQ((*l)[0].protocol, broker::security_protocol::sasl_plaintext);
  c.listeners = "bogus";
  EXPECT_NE(refusal(check_server_config(c)).find("kafka.listeners:"), std::string::npos);
  c.listeners = "SASL_SSL://127.0.0.1:0";
  EXPECT_NE(refusal(check_server_config(c)).find("tls.cert_file"), std::string::npos);
}

}  // namespace
}  // namespace brook::app

namespace brook::app {
namespace {

TEST(Config, TlsListenersNeedACertificateAndClientCertificatesACa) {
  server_config c;
  c.listeners = "SSL://127.0.0.1:9093";
  EXPECT_NE(refusal(check_server_config(c)).find("tls.cert_file"), std::string::npos);
  c.tls.cert_file = "server.pem";
  c.tls.key_file = "server.key";
  EXPECT_EQ(refusal(check_server_config(c)), "");
  c.tls.clients = net::client_auth::required;
  EXPECT_NE(refusal(check_server_config(c)).find("tls.ca_file"), std::string::npos);
  c.tls.ca_file = "ca.pem";
  EXPECT_EQ(refusal(check_server_config(c)), "");

  server_config h;
  h.http_tls = true;
  EXPECT_NE(refusal(check_server_config(h)).find("tls.key_file"), std::string::npos);
}

TEST(Config, AnSslListenerRequiringClientCertificatesAuthenticates) {
  server_config c;
  c.listeners = "SSL://0.0.0.0:9093";
  c.advertised_listeners = "SSL://broker.example.com:9093";
  c.tls.cert_file = "server.pem";
  c.tls.key_file = "server.key";
  c.tls.ca_file = "ca.pem";
  c.tls.clients = net::client_auth::requested;  // anyone may still come in without one
  EXPECT_NE(refusal(check_server_config(c)).find("allow_unauthenticated_remote"),
            std::string::npos);
  c.tls.clients = net::client_auth::required;
  EXPECT_EQ(refusal(check_server_config(c)), "");
  auto listeners = listeners_of(c);
  ASSERT_TRUE(listeners);
  EXPECT_TRUE(authenticates(c, listeners->front()));
}

}  // namespace
}  // namespace brook::app
