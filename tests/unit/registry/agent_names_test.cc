#include "registry/agent_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <regex>
#include <set>
#include <thread>
#include <vector>

#include "registry/agent_words.h"

namespace brook::registry {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = s.find(sep); at != std::string::npos; at = s.find(sep, start)) {
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
  out.push_back(s.substr(start));
  return out;
}

TEST(AgentWords, AtLeastTwoThousandShortPlainDistinctWords) {
  const auto& words = agent_words();
  EXPECT_GE(words.size(), 2000U);
  const std::regex plain("[a-z]{3,7}");
  for (auto w : words) {
    EXPECT_TRUE(std::regex_match(std::string(w), plain)) << w;
  }
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
  EXPECT_EQ(std::adjacent_find(words.begin(), words.end()), words.end());
  // The file's comment lines are not words.
  EXPECT_TRUE(agent_words_file().starts_with("#"));
}

TEST(AgentNames, TenThousandNamesAreDistinctAndMadeOfListWords) {
  agent_name_generator names({}, 7);
  const auto& words = agent_words();
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto name = names.next([&seen](const std::string& n) { return seen.count(n) > 0; });
    ASSERT_TRUE(name.has_value());
    auto parts = split(*name, '-');
    ASSERT_EQ(parts.size(), 3U) << *name;
    for (const auto& p : parts) {
      EXPECT_TRUE(std::binary_search(words.begin(), words.end(), p)) << *name;
    }
    EXPECT_TRUE(seen.insert(*name).second);
  }
}

TEST(AgentNames, ATakenNameIsDrawnAgainAndGivingUpIsSaid) {
  agent_name_generator names({}, 11);
  int asked = 0;
  auto name = names.next([&asked](const std::string&) { return ++asked < 5; });
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(asked, 5);
  EXPECT_FALSE(names.next([](const std::string&) { return true; }, 10).has_value());
}

TEST(AgentNames, PrefixSeparatorAndWordCount) {
  agent_name_options o;
  o.words = 2;
  o.separator = ".";
  o.prefix = "team-a";
  ASSERT_FALSE(o.problem().has_value());
  agent_name_generator names(o, 3);
  auto name = names.next([](const std::string&) { return false; });
  ASSERT_TRUE(name.has_value());
  EXPECT_TRUE(std::regex_match(*name, std::regex(R"(team-a\.[a-z]{3,7}\.[a-z]{3,7})"))) << *name;
}

TEST(AgentNames, BadOptionsAreExplained) {
  agent_name_options o;
  o.words = 0;
  EXPECT_NE(o.problem().value_or("").find("1 to 8"), std::string::npos);
  o = {};
  o.separator = "/";
  EXPECT_NE(o.problem().value_or("").find("separator"), std::string::npos);
  o = {};
  o.prefix = "no spaces";
  EXPECT_NE(o.problem().value_or("").find("prefix"), std::string::npos);
  o = {};
  o.prefix = std::string(240, 'a');
  EXPECT_NE(o.problem().value_or("").find("too long"), std::string::npos);
}

TEST(AgentNames, SixteenThreadsDrawingAtOnceClaimDistinctNames) {
  agent_name_generator names({}, 0);
  std::mutex m;
  std::set<std::string> claimed;
  std::atomic<int> lost{0};  // a free draw claimed by another thread first
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        for (;;) {
          // Drawn without the lock, claimed under it: the registry's store claims a name
          // with a unique constraint the same way.
          auto n = names.next([&](const std::string& s) {
            std::lock_guard lock(m);
            return claimed.count(s) > 0;
          });
          ASSERT_TRUE(n.has_value());
          std::lock_guard lock(m);
          if (claimed.insert(*n).second) {
            break;
          }
          lost.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(claimed.size(), 3200U);
  EXPECT_LT(lost.load(), 5);  // 3,200 draws of 8.7e10 names: a lost claim is rare
}

}  // namespace
}  // namespace brook::registry
