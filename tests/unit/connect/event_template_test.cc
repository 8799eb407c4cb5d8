#include "connect/event_template.h"

#include <gtest/gtest.h>

#include <set>

namespace brook::connect {
namespace {

simdjson::dom::element parsed(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(json).get(e), simdjson::SUCCESS) << json;
  return e;
}

TEST(EventTemplate, TypedPlaceholdersBecomeNumbersAndBooleans) {
  auto t = event_template::parse(
      R"({"n":"{{seq}}","price":"{{int:5:5}}","ok":"{{bool}}","at":"{{now}}","x":[1,"{{seq}}"],"keep":null})",
      1);
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_TRUE((*t)->render(41, 1700000000000).starts_with(R"({"n":41,"price":5,"ok":)"));
  simdjson::dom::parser p;
  auto e = parsed(p, (*t)->render(7, 1700000000000));
  EXPECT_EQ(int64_t(e["n"]), 7);
  EXPECT_EQ(int64_t(e["at"]), 1700000000000);
  EXPECT_TRUE(e["ok"].is_bool());
  EXPECT_EQ(int64_t(e["x"].at(1)), 7);
  EXPECT_TRUE(e["keep"].is_null());
}

TEST(EventTemplate, StringPlaceholdersAndEmbeddedOnes) {
  auto t = event_template::parse(
      R"({"u":"{{user:3}}","s":"{{session:2}}","c":"{{choice:click,view}}","msg":"user {{seq}} at {{now_iso}}","w":"{{word}}","id":"{{uuid}}"})",
      2);
  ASSERT_TRUE(t.has_value()) << t.error();
  std::set<std::string> users;
  std::set<std::string> choices;
  simdjson::dom::parser p;
  for (uint64_t i = 0; i < 200; ++i) {
    auto e = parsed(p, (*t)->render(i, 1700000000123));
    users.insert(std::string(std::string_view(e["u"])));
    choices.insert(std::string(std::string_view(e["c"])));
    EXPECT_EQ(std::string_view(e["msg"]),
              "user " + std::to_string(i) + " at 2023-11-14T22:13:20.123Z");
    EXPECT_EQ(std::string_view(e["id"]).size(), 36U);
    EXPECT_FALSE(std::string_view(e["w"]).empty());
  }
  EXPECT_EQ(users, (std::set<std::string>{"user-1", "user-2", "user-3"}));  // the cardinality
  EXPECT_EQ(choices, (std::set<std::string>{"click", "view"}));
}

TEST(EventTemplate, TheSameSeedGivesTheSameEvents) {
  const std::string text = R"({"a":"{{int:0:1000000}}","b":"{{word}}"})";
  auto one = event_template::parse(text, 99);
  auto two = event_template::parse(text, 99);
  ASSERT_TRUE(one && two);
  for (uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ((*one)->render(i, 0), (*two)->render(i, 0));
  }
}

TEST(EventTemplate, BadTemplatesSayWhy) {
  EXPECT_EQ(event_template::parse("{not json", 1).error(), "the template is not JSON");
  auto unknown = event_template::parse(R"({"a":"{{nope}}"})", 1);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("{{nope}}"), std::string::npos);
  EXPECT_NE(unknown.error().find("unknown"), std::string::npos);
  EXPECT_FALSE(event_template::parse(R"({"a":"{{int:5:1}}"})", 1));
  EXPECT_FALSE(event_template::parse(R"({"a":"{{float:x:1}}"})", 1));
  EXPECT_FALSE(event_template::parse(R"({"a":"{{user:0}}"})", 1));
  EXPECT_FALSE(event_template::parse(R"({"a":"{{choice:}}"})", 1));
}

}  // namespace
}  // namespace brook::connect
