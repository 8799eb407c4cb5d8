// The router's matching (patterns with {params}, 404 against 405 with the Allow list, a
// literal segment such as "configs:alter" next to a {param}, trailing and doubled slashes)
// and parse_target's splitting and percent-decoding of a request target.
#include "http/router.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace brook::http {
namespace {

using boost::beast::http::verb;
using params = std::vector<std::pair<std::string, std::string>>;

// The shape of Brook's own table (handlers are not called here).
router make_router() {
  router r;
  r.add(verb::get, "/topics", nullptr);
  r.add(verb::get, "/topics/{topic}", nullptr);
  r.add(verb::post, "/topics/{topic}", nullptr);
  r.add(verb::get, "/topics/{topic}/partitions", nullptr);
  r.add(verb::get, "/topics/{topic}/partitions/{partition}", nullptr);
  r.add(verb::post, "/topics/{topic}/partitions/{partition}", nullptr);
  r.add(verb::get, "/topics/{topic}/partitions/{partition}/records", nullptr);
  r.add(verb::post, "/consumers/{group}", nullptr);
  r.add(verb::delete_, "/consumers/{group}/instances/{instance}", nullptr);
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs", nullptr);
  r.add(verb::get, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}", nullptr);
  r.add(verb::put, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}", nullptr);
  r.add(verb::delete_, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}", nullptr);
  r.add(verb::post, "/v3/clusters/{cluster_id}/topics/{topic_name}/configs:alter", nullptr);
  r.add_streaming(verb::post, "/v3/clusters/{cluster_id}/topics/{topic_name}/records", nullptr);
  r.add(verb::get, "/v1/agents/{id}", nullptr);
  r.add(verb::post, "/v1/agents/{id}:disable", nullptr);
  return r;
}

// The pattern `path` resolves to with `method` ("" for none), and its params.
std::string pattern_of(const router& r, verb method, std::string_view path, params* out = nullptr) {
  auto m = r.match(method, path);
  if (out != nullptr) {
    *out = m.params;
  }
  return m.found != nullptr ? m.found->pattern : std::string();
}

TEST(Router, MatchesPatternsAndBindsParamsInOrder) {
  auto r = make_router();
  params p;
  EXPECT_EQ(pattern_of(r, verb::get, "/topics"), "/topics");
  EXPECT_EQ(pattern_of(r, verb::get, "/topics/orders/partitions/2/records", &p),
            "/topics/{topic}/partitions/{partition}/records");
  EXPECT_EQ(p, (params{{"topic", "orders"}, {"partition", "2"}}));
  EXPECT_EQ(pattern_of(r, verb::delete_, "/consumers/g1/instances/c-1", &p),
            "/consumers/{group}/instances/{instance}");
  EXPECT_EQ(p, (params{{"group", "g1"}, {"instance", "c-1"}}));
  EXPECT_EQ(pattern_of(r, verb::put, "/v3/clusters/abc/topics/t/configs/retention.ms", &p),
            "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}");
  EXPECT_EQ(p, (params{{"cluster_id", "abc"}, {"topic_name", "t"}, {"name", "retention.ms"}}));
}

TEST(Router, AParameterWithACustomMethodSuffix) {
  auto r = make_router();
  params p;
  EXPECT_EQ(pattern_of(r, verb::post, "/v1/agents/ab12:disable", &p), "/v1/agents/{id}:disable");
  EXPECT_EQ(p, (params{{"id", "ab12"}}));
  // The suffix alone is no parameter; another suffix is another path.
  EXPECT_EQ(pattern_of(r, verb::post, "/v1/agents/:disable"), "");
  EXPECT_EQ(pattern_of(r, verb::post, "/v1/agents/ab12:enable"), "");
  // Without the suffix, the plain parameter's route.
  EXPECT_EQ(pattern_of(r, verb::get, "/v1/agents/ab12", &p), "/v1/agents/{id}");
  EXPECT_EQ(p, (params{{"id", "ab12"}}));
}

TEST(Router, FindsStreamingRoutes) {
  auto r = make_router();
  auto m = r.match(verb::post, "/v3/clusters/c/topics/t/records");
  ASSERT_NE(m.found, nullptr);
  EXPECT_EQ(m.status, 200u);
  EXPECT_EQ(m.found->pattern, "/v3/clusters/{cluster_id}/topics/{topic_name}/records");
}

TEST(Router, UnknownPathIs404WithoutAllow) {
  auto r = make_router();
  for (const char* path : {"/", "/nope", "/topics/t/extra", "/topics/t/partitions/0/records/x",
                           "/Topics", "/consumers", "/v3/clusters/c/topics/t/configs/a/b"}) {
    auto m = r.match(verb::get, path);
    EXPECT_EQ(m.found, nullptr) << path;
    EXPECT_EQ(m.status, 404u) << path;
    EXPECT_EQ(m.allow, "") << path;
    EXPECT_TRUE(m.params.empty()) << path;
  }
}

TEST(Router, WrongMethodIs405ListingTheMethodsThePathTakes) {
  auto r = make_router();
  auto m = r.match(verb::delete_, "/topics");
  EXPECT_EQ(m.found, nullptr);
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "GET");

  m = r.match(verb::put, "/topics/t");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "GET, POST");

  m = r.match(verb::post, "/v3/clusters/c/topics/t/configs/x");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "GET, PUT, DELETE");

  m = r.match(verb::get, "/consumers/g");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "POST");
}

TEST(Router, AllowNamesEachMethodOnce) {
  router r;
  r.add(verb::get, "/a/{x}", nullptr);
  r.add(verb::get, "/a/b", nullptr);
  r.add(verb::post, "/a/{y}", nullptr);
  auto m = r.match(verb::delete_, "/a/b");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "GET, POST");
}

TEST(Router, LiteralSegmentBesideParam) {
  auto r = make_router();
  params p;
  // configs:alter is one literal segment: it matches only itself.
  EXPECT_EQ(pattern_of(r, verb::post, "/v3/clusters/c/topics/t/configs:alter", &p),
            "/v3/clusters/{cluster_id}/topics/{topic_name}/configs:alter");
  EXPECT_EQ(p, (params{{"cluster_id", "c"}, {"topic_name", "t"}}));
  for (const char* path :
       {"/v3/clusters/c/topics/t/configs:alterx", "/v3/clusters/c/topics/t/configs:",
        "/v3/clusters/c/topics/t/configs:Alter", "/v3/clusters/c/topics/t/configs/alter"}) {
    EXPECT_EQ(pattern_of(r, verb::post, path), "") << path;
  }
  // GET on it: the path exists for POST only.
  auto m = r.match(verb::get, "/v3/clusters/c/topics/t/configs:alter");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "POST");
  // .../configs/{name} with a name that looks like the literal.
  EXPECT_EQ(pattern_of(r, verb::get, "/v3/clusters/c/topics/t/configs/configs:alter", &p),
            "/v3/clusters/{cluster_id}/topics/{topic_name}/configs/{name}");
  EXPECT_EQ(p.back(), (std::pair<std::string, std::string>{"name", "configs:alter"}));

  // A literal and a param in the same position, different methods: each method finds its own.
  router s;
  s.add(verb::get, "/t/{name}", nullptr);
  s.add(verb::post, "/t/configs:alter", nullptr);
  EXPECT_EQ(pattern_of(s, verb::post, "/t/configs:alter"), "/t/configs:alter");
  EXPECT_EQ(pattern_of(s, verb::get, "/t/configs:alter", &p), "/t/{name}");
  EXPECT_EQ(p, (params{{"name", "configs:alter"}}));
  m = s.match(verb::post, "/t/other");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "GET");
}

TEST(Router, TrailingAndDoubledSlashesAreIgnored) {
  auto r = make_router();
  params p;
  EXPECT_EQ(pattern_of(r, verb::get, "/topics/"), "/topics");
  EXPECT_EQ(pattern_of(r, verb::get, "//topics"), "/topics");
  EXPECT_EQ(pattern_of(r, verb::get, "/topics//t1/", &p), "/topics/{topic}");
  EXPECT_EQ(p, (params{{"topic", "t1"}}));
  EXPECT_EQ(pattern_of(r, verb::get, "/topics/t1//partitions///3/records/", &p),
            "/topics/{topic}/partitions/{partition}/records");
  EXPECT_EQ(p, (params{{"topic", "t1"}, {"partition", "3"}}));
  auto m = r.match(verb::delete_, "/topics/");
  EXPECT_EQ(m.status, 405u);
  EXPECT_EQ(m.allow, "GET");
}

// -- parse_target -------------------------------------------------------------------------

struct target {
  bool ok = false;
  std::string path;
  std::map<std::string, std::string> query;
};

target parse(std::string_view t) {
  target out;
  out.ok = parse_target(t, out.path, out.query);
  return out;
}

using query_map = std::map<std::string, std::string>;

TEST(ParseTarget, SplitsPathAndQuery) {
  auto t = parse("/topics/t/partitions/0/records?offset=5&count=10");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/topics/t/partitions/0/records");
  EXPECT_EQ(t.query, (query_map{{"offset", "5"}, {"count", "10"}}));

  t = parse("/topics");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/topics");
  EXPECT_TRUE(t.query.empty());

  t = parse("/topics?");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/topics");
  EXPECT_TRUE(t.query.empty());

  t = parse("/?a=b=c");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/");
  EXPECT_EQ(t.query, (query_map{{"a", "b=c"}}));
}

TEST(ParseTarget, PercentDecodesThePath) {
  auto t = parse("/topics/a%20b%2dc%2Ed");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/topics/a b-c.d");
  // '+' is a plus in a path; an escaped '?' does not start the query.
  t = parse("/topics/a+b%3Fc?x=1");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/topics/a+b?c");
  EXPECT_EQ(t.query, (query_map{{"x", "1"}}));
  // Any byte, UTF-8 included.
  t = parse("/topics/%C3%A9%00%ff");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, std::string("/topics/\xC3\xA9\0\xff", 12));
}

TEST(ParseTarget, PercentDecodesTheQueryWithPlusAsSpace) {
  auto t = parse("/r?topic_pattern=a%2Eb%2B%2b+c&max%5Fbytes=10&q=%26%3D");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.query, (query_map{{"topic_pattern", "a.b++ c"}, {"max_bytes", "10"}, {"q", "&="}}));
}

TEST(ParseTarget, RefusesMalformedEscapes) {
  for (const char* bad :
       {"/topics/%zz", "/topics/%4", "/topics/%", "/topics/a%g1", "/%%41", "/topics?x=%zz",
        "/topics?x=%4", "/topics?x=%", "/topics?%2=1", "/topics?a=1&b=%x", "/topics/%4?x=1"}) {
    EXPECT_FALSE(parse(bad).ok) << bad;
  }
  // Right at the edge: a complete escape at the very end.
  auto t = parse("/a%41?b=%42");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.path, "/aA");
  EXPECT_EQ(t.query, (query_map{{"b", "B"}}));
}

TEST(ParseTarget, RefusesTargetsThatAreNotOriginForm) {
  for (const char* bad : {"", "*", "topics", "http://127.0.0.1:8082/topics", "?a=1"}) {
    EXPECT_FALSE(parse(bad).ok) << bad;
  }
}

TEST(ParseTarget, SkipsEmptyQueryItemsAndKeepsTheLastOfRepeatedNames) {
  auto t = parse("/r?&&a=1&&b=&c&=z&");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.query, (query_map{{"a", "1"}, {"b", ""}, {"c", ""}, {"", "z"}}));

  t = parse("/r?timeout=1&count=2&timeout=3&timeout=%34");
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.query, (query_map{{"timeout", "4"}, {"count", "2"}}));
}

TEST(ParseTarget, ReplacesAnEarlierQuery) {
  std::string path = "old";
  query_map query{{"stale", "1"}};
  ASSERT_TRUE(parse_target("/topics?x=1", path, query));
  EXPECT_EQ(path, "/topics");
  EXPECT_EQ(query, (query_map{{"x", "1"}}));
}

// An escaped slash is part of a name, not a separator: a consumer group may be called
// "team/a" (Kafka allows any group id), and %2F must not send a request to another endpoint.
TEST(ParseTargetThenMatch, AnEscapedSlashDoesNotSplitASegment) {
  auto r = make_router();
  auto routed = [&](verb method, std::string_view t, params* p) {
    std::string path;
    query_map query;
    if (!parse_target(t, path, query)) {
      return std::string("(refused)");
    }
    return pattern_of(r, method, path, p);
  };
  params p;
  std::string got = routed(verb::post, "/consumers/team%2Fa", &p);
  EXPECT_EQ(got, "/consumers/{group}") << "POST /consumers/team%2Fa";
  if (got == "/consumers/{group}") {
    EXPECT_EQ(p, (params{{"group", "team/a"}}));
  }
  // Topic "a/partitions" (not a valid topic name, so 404 or 400, but never the partitions
  // of topic "a").
  got = routed(verb::get, "/topics/a%2Fpartitions", &p);
  EXPECT_NE(got, "/topics/{topic}/partitions") << "GET /topics/a%2Fpartitions";
}

// escape_path_segment is parse_target's inverse for one segment: names with '/', '%', '?',
// spaces or bytes outside ASCII come back as themselves, in one segment.
TEST(EscapePathSegment, RoundTripsThroughParseTargetAndMatch) {
  EXPECT_EQ(escape_path_segment("group-1_a.b~c"), "group-1_a.b~c");
  EXPECT_EQ(escape_path_segment("../../etc"), "..%2F..%2Fetc");
  EXPECT_EQ(escape_path_segment("a b?c#d%e"), "a%20b%3Fc%23d%25e");
  auto r = make_router();
  for (std::string name : {"team/a", "50%", "a b", "q?x=1", "caf\xc3\xa9", "#frag"}) {
    std::string path;
    query_map query;
    ASSERT_TRUE(parse_target("/consumers/" + escape_path_segment(name), path, query)) << name;
    params p;
    EXPECT_EQ(pattern_of(r, verb::post, path, &p), "/consumers/{group}") << name;
    EXPECT_EQ(p, (params{{"group", name}})) << name;
    EXPECT_TRUE(query.empty()) << name;
  }
}

}  // namespace
}  // namespace brook::http
