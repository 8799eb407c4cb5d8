#include "connect/connector_config.h"

#include <gtest/gtest.h>

#include "connect/sink_plugins.h"

namespace brook::connect {
namespace {

TEST(ConnectorConfig, TypedValuesAndEveryErrorAtOnce) {
  connector_config c({{"n", "12"},
                      {"bad", "12x"},
                      {"big", "99"},
                      {"b", "TRUE"},
                      {"c", "All"},
                      {"list", " a, ,b "},
                      {"blank", "  "}});
  EXPECT_EQ(c.integer("n", 0, 0, 100), 12);
  EXPECT_EQ(c.integer("bad", 5, 0, 100), 5);
  EXPECT_EQ(c.integer("big", 5, 0, 50), 5);
  EXPECT_TRUE(c.boolean("b", false));
  EXPECT_EQ(c.choice("c", "none", {"none", "all"}), "all");
  EXPECT_EQ(c.list("list"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.get("blank"), std::nullopt);
  EXPECT_EQ(c.required("absent"), "");
  ASSERT_EQ(c.errors().size(), 3U);
  EXPECT_NE(c.errors()[0].find("bad"), std::string::npos);
  EXPECT_NE(c.errors()[1].find("[0, 50]"), std::string::npos);
  EXPECT_NE(c.errors()[2].find("absent"), std::string::npos);
}

TEST(ConnectorConfig, CredentialsAreMaskedAndKeptWhenSentBackMasked) {
  connector_config::values v{
      {"connection.password", "s3cret"}, {"aws.secret.access.key", "k"}, {"topics", "t"}};
  auto shown = masked_values(v);
  EXPECT_EQ(shown["connection.password"], masked_value);
  EXPECT_EQ(shown["aws.secret.access.key"], masked_value);
  EXPECT_EQ(shown["topics"], "t");
  shown["topics"] = "u";
  auto next = unmask_values(shown, v);
  EXPECT_EQ(next["connection.password"], "s3cret");
  EXPECT_EQ(next["topics"], "u");
}

TEST(SinkPlugins, FoundByConnectsNames) {
  EXPECT_NE(find_plugin("org.apache.kafka.connect.file.FileStreamSinkConnector"), nullptr);
  EXPECT_NE(find_plugin("FileStreamSinkConnector"), nullptr);
  EXPECT_NE(find_plugin("FileStreamSink"), nullptr);
  EXPECT_EQ(find_plugin("FileStream"), nullptr);
  EXPECT_EQ(find_plugin(""), nullptr);
}

TEST(SinkPlugins, APlanNamesEveryProblem) {
  connect_environment env{"/tmp/brook-state"};
  auto plan = plan_connector("ok-name", {{"connector.class", "Nope"}}, env);
  ASSERT_FALSE(plan.has_value());
  ASSERT_EQ(plan.error().size(), 2U);
  EXPECT_NE(plan.error()[0].find("Nope"), std::string::npos);
  EXPECT_NE(plan.error()[1].find("topics"), std::string::npos);

  auto bad_name = plan_connector(
      "a/b", {{"connector.class", "FileStreamSink"}, {"topics", "t"}, {"file", "/tmp/x"}}, env);
  ASSERT_FALSE(bad_name.has_value());
  EXPECT_NE(bad_name.error().back().find("connector name"), std::string::npos);

  auto good = plan_connector("csv",
                             {{"connector.class", "FileStreamSink"},
                              {"topics", "a,b"},
                              {"file", "/tmp/x.csv"},
                              {"errors.tolerance", "all"},
                              {"errors.deadletterqueue.topic.name", "dlq"}},
                             env);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(good->worker.group(), "connect-csv");
  EXPECT_EQ(good->worker.topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(good->worker.tolerate_errors);
  EXPECT_EQ(good->worker.dead_letter_topic, "dlq");

  auto both = plan_connector("x",
                             {{"connector.class", "FileStreamSink"},
                              {"topics", "a"},
                              {"topics.regex", "a.*"},
                              {"file", "/tmp/x"},
                              {"errors.deadletterqueue.topic.name", "dlq"}},
                             env);
  ASSERT_FALSE(both.has_value());
  EXPECT_EQ(both.error().size(), 2U);  // topics and topics.regex; a DLQ without tolerance
}

TEST(SinkPlugins, ConnectorNames) {
  EXPECT_TRUE(valid_connector_name("csv-feeder_1.v2"));
  EXPECT_FALSE(valid_connector_name(""));
  EXPECT_FALSE(valid_connector_name(".."));
  EXPECT_FALSE(valid_connector_name("a b"));
  EXPECT_FALSE(valid_connector_name(std::string(250, 'a')));
}

}  // namespace
}  // namespace brook::connect

namespace brook::connect {
namespace {

TEST(SinkPlugins, AJdbcPlanNamesEveryProblem) {
  connect_environment env{"/tmp/brook-state"};
  auto plan = plan_connector("db",
                             {{"connector.class", "JdbcSinkConnector"},
                              {"topics", "t"},
                              {"connection.url", "mysql://h/db"},
                              {"insert.mode", "upsert"},
                              {"pk.mode", "record_value"}},
                             env);
  ASSERT_FALSE(plan.has_value());
  ASSERT_EQ(plan.error().size(), 2U);  // the URL; record_value without pk.fields
  EXPECT_NE(plan.error()[0].find("postgresql://"), std::string::npos);
  EXPECT_NE(plan.error()[1].find("pk.fields"), std::string::npos);
  auto none = plan_connector("db",
                             {{"connector.class", "JdbcSink"},
                              {"topics", "t"},
                              {"connection.url", "jdbc:postgresql://h/db"},
                              {"insert.mode", "upsert"}},
                             env);
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().front().find("upsert needs a pk.mode"), std::string::npos);
  auto good = plan_connector("db",
                             {{"connector.class", "io.confluent.connect.jdbc.JdbcSinkConnector"},
                              {"topics", "t"},
                              {"connection.url", "jdbc:postgresql://h/db"},
                              {"pk.mode", "kafka"}},
                             env);
  EXPECT_TRUE(good.has_value());
}

}  // namespace
}  // namespace brook::connect

namespace brook::connect {
namespace {

TEST(SinkPlugins, ADatagenPlanIsASourceAndChecksItsTemplate) {
  connect_environment env{"/tmp/brook-state"};
  auto plan = plan_connector("gen",
                             {{"connector.class", "DatagenConnector"},
                              {"kafka.topic", "t"},
                              {"template", R"({"n":"{{seq}}"})"}},
                             env);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->type, "source");
  EXPECT_TRUE(plan->start);
  auto bad = plan_connector("gen",
                            {{"connector.class", "DatagenConnector"},
                             {"template", R"({"n":"{{int:9:1}}"})"},
                             {"max.interval", "-5"}},
                            env);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().size(), 3U);  // kafka.topic, the template, max.interval
}

}  // namespace
}  // namespace brook::connect
