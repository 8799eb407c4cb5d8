#include "broker/listener_config.h"

#include <gtest/gtest.h>

namespace brook::broker {
namespace {

TEST(ListenerConfig, ParsesKafkaListenerLists) {
  auto l = parse_listeners("PLAINTEXT://127.0.0.1:9092, SASL_PLAINTEXT://0.0.0.0:9093", "",
                           "SASL_PLAINTEXT://broker.example.com:19093");
  ASSERT_TRUE(l) << l.error();
  ASSERT_EQ(l->size(), 2U);
  EXPECT_EQ((*l)[0].name, "PLAINTEXT");
  EXPECT_EQ((*l)[0].protocol, security_protocol::plaintext);
  EXPECT_EQ((*l)[0].port, 9092);
  EXPECT_EQ((*l)[1].protocol, security_protocol::sasl_plaintext);
  EXPECT_EQ((*l)[1].host, "0.0.0.0");
  EXPECT_EQ((*l)[1].advertised_host, "broker.example.com");
  EXPECT_EQ((*l)[1].advertised_port, 19093);
  EXPECT_TRUE((*l)[0].advertised_host.empty());
}

TEST(ListenerConfig, NamesMapToProtocols) {
  auto l = parse_listeners("INTERNAL://[::1]:9092,EXTERNAL://10.0.0.1:9093",
                           "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL", "");
  ASSERT_TRUE(l) << l.error();
  EXPECT_EQ((*l)[0].host, "::1");
  EXPECT_EQ((*l)[0].protocol, security_protocol::plaintext);
  EXPECT_EQ((*l)[1].protocol, security_protocol::sasl_ssl);
  EXPECT_TRUE(uses_tls((*l)[1].protocol));
  EXPECT_TRUE(uses_sasl((*l)[1].protocol));
}

TEST(ListenerConfig, RefusesWhatIsWrongAndSaysWhat) {
  struct bad {
    const char* listeners;
    const char* map;
    const char* advertised;
    const char* says;
  };
  for (const auto& b : std::initializer_list<bad>{
           {"127.0.0.1:9092", "", "", "is not NAME://HOST:PORT"},
           {"PLAINTEXT://127.0.0.1", "", "", "has no port"},
           {"PLAINTEXT://:9092", "", "", "has no host"},
           {"PLAINTEXT://127.0.0.1:99999", "", "", "the port must be a number"},
           {"PLAINTEXT://127.0.0.1:x", "", "", "the port must be a number"},
           {"PLAIN TEXT://127.0.0.1:1", "", "", "a listener name is"},
           {"EXTERNAL://127.0.0.1:1", "", "", "has no security protocol"},
           {"EXTERNAL://127.0.0.1:1", "EXTERNAL:TLS", "", "is not NAME:PROTOCOL"},
           {"PLAINTEXT://127.0.0.1:1,PLAINTEXT://127.0.0.1:2", "", "", "named twice"},
           {"PLAINTEXT://127.0.0.1:1,SSL://127.0.0.1:1", "", "", "given to two listeners"},
           {"PLAINTEXT://127.0.0.1:1", "", "SSL://h:1", "is not a listener"},
           {"PLAINTEXT://127.0.0.1:1", "", "PLAINTEXT://h", "has no port"}}) {
    auto l = parse_listeners(b.listeners, b.map, b.advertised);
    ASSERT_FALSE(l) << b.listeners;
    EXPECT_NE(l.error().find(b.says), std::string::npos) << l.error();
  }
  // Port 0 (any free port) may be given to several listeners.
  EXPECT_TRUE(parse_listeners("PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0", "", ""));
}

}  // namespace
}  // namespace brook::broker
