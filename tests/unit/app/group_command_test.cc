// `brook group`'s argument parsing, and kafka_client against a fake broker on loopback:
// the request header it writes, the API version it picks from ApiVersions (asking again
// in v0 when the broker does not know the version asked), and its errors.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "app/cli/group_command.h"
#include "app/cli/kafka_client.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/list_groups.h"
#include "protocol/request_header.h"
#include "protocol/wire_writer.h"

namespace brook::app {
namespace {

// --- arguments ---------------------------------------------------------------------------

TEST(GroupCommand, TopicSpecs) {
  auto all = parse_topic_spec("orders");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->topic, "orders");
  EXPECT_TRUE(all->partitions.empty());
  auto some = parse_topic_spec("orders:2,0,2");
  ASSERT_TRUE(some);
  EXPECT_EQ(some->topic, "orders");
  EXPECT_EQ(some->partitions, (std::vector<int32_t>{2, 0}));
  for (const char* bad : {"", ":1", "t:", "t:x", "t:1,", "t:-1", "t:1,,2", "t:99999999999"}) {
    EXPECT_FALSE(parse_topic_spec(bad)) << bad;
  }
}

TEST(GroupCommand, DatetimesAreIsoOrEpochMilliseconds) {
  EXPECT_EQ(*parse_datetime_ms("1700000000123"), 1700000000123);
  EXPECT_EQ(*parse_datetime_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14T22:13:20.123Z"), 1700000000123);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14T22:13:20.1234567Z"), 1700000000123);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14T22:13:20"), 1700000000000);  // UTC
  EXPECT_EQ(*parse_datetime_ms("2023-11-14 22:13:20"), 1700000000000);
  EXPECT_EQ(*parse_datetime_ms("2023-11-15T00:13:20+02:00"), 1700000000000);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14T20:13:20-0200"), 1700000000000);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14T22:13Z"), 1699999980000);
  EXPECT_EQ(*parse_datetime_ms("2023-11-14"), 1699920000000);
  EXPECT_EQ(*parse_datetime_ms("2024-02-29T00:00:00Z"), 1709164800000);
  for (const char* bad : {"", "yesterday", "2023-02-29", "2023-13-01", "2023-11-14T24:00:00Z",
                          "2023-11-14T22:60", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+2",
                          "2023-11-14T22:13:20 UTC", "-5", "2023/11/14"}) {
    EXPECT_FALSE(parse_datetime_ms(bad)) << bad;
  }
}

TEST(GroupCommand, StatesMatchCaseInsensitively) {
  EXPECT_EQ(canonical_group_state("stable"), "Stable");
  EXPECT_EQ(canonical_group_state("PREPARINGREBALANCE"), "PreparingRebalance");
  EXPECT_EQ(canonical_group_state("Empty"), "Empty");
  EXPECT_EQ(canonical_group_state("Stabl"), "");
}

// Parses `args` (after "brook") as main.cc does; returns the options, or the parse error.
struct parsed {
  group_options options;
  bool parse_error = false;
};
parsed parse(std::vector<std::string> args) {
  CLI::App app;
  parsed p;
  add_group_command(app, p.options);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    p.parse_error = true;
  }
  return p;
}

TEST(GroupCommand, ParsesEachAction) {
  auto list = parse({"group", "list", "--state", "Stable", "--state", "empty", "--json"});
  ASSERT_FALSE(list.parse_error);
  EXPECT_EQ(list.options.action, "list");
  EXPECT_EQ(list.options.states, (std::vector<std::string>{"Stable", "empty"}));
  EXPECT_TRUE(list.options.json);
  EXPECT_EQ(list.options.bootstrap, "127.0.0.1:9092");
  EXPECT_TRUE(validate_group_options(list.options));

  auto describe = parse({"group", "describe", "g1", "--bootstrap", "h:1"});
  ASSERT_FALSE(describe.parse_error);
  EXPECT_EQ(describe.options.action, "describe");
  EXPECT_EQ(describe.options.groups, (std::vector<std::string>{"g1"}));
  EXPECT_EQ(describe.options.bootstrap, "h:1");

  auto del = parse({"group", "delete", "a", "b"});
  ASSERT_FALSE(del.parse_error);
  EXPECT_EQ(del.options.groups, (std::vector<std::string>{"a", "b"}));

  auto reset = parse({"group", "reset-offsets", "g", "--topic", "t:0,1", "--topic", "u",
                      "--to-offset", "5", "--dry-run"});
  ASSERT_FALSE(reset.parse_error);
  EXPECT_EQ(reset.options.action, "reset-offsets");
  EXPECT_EQ(reset.options.topics, (std::vector<std::string>{"t:0,1", "u"}));
  EXPECT_EQ(reset.options.to_offset, 5);
  EXPECT_TRUE(reset.options.dry_run);
  EXPECT_TRUE(validate_group_options(reset.options));
}

TEST(GroupCommand, UsageErrors) {
  EXPECT_TRUE(parse({"group"}).parse_error);
  EXPECT_TRUE(parse({"group", "describe"}).parse_error);
  EXPECT_TRUE(parse({"group", "describe", "a", "b"}).parse_error);
  EXPECT_TRUE(parse({"group", "delete"}).parse_error);
  EXPECT_TRUE(parse({"group", "reset-offsets", "g", "--to-latest"}).parse_error);  // no --topic

  auto none = parse({"group", "reset-offsets", "g", "--topic", "t"});
  ASSERT_FALSE(none.parse_error);
  EXPECT_NE(validate_group_options(none.options).error().find("exactly one of"), std::string::npos);
  auto two = parse({"group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-datetime",
                    "2024-01-01"});
  EXPECT_NE(validate_group_options(two.options).error().find("exactly one of"), std::string::npos);
  auto bad_time = parse({"group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "x"});
  EXPECT_NE(validate_group_options(bad_time.options).error().find("--to-datetime"),
            std::string::npos);
  auto bad_topic = parse({"group", "reset-offsets", "g", "--topic", "t:a", "--to-latest"});
  EXPECT_NE(validate_group_options(bad_topic.options).error().find("--topic"), std::string::npos);
  auto bad_state = parse({"group", "list", "--state", "Sleepy"});
  EXPECT_NE(validate_group_options(bad_state.options).error().find("Sleepy"), std::string::npos);
  auto bad_address = parse({"group", "list", "--bootstrap", "localhost"});
  EXPECT_NE(validate_group_options(bad_address.options).error().find("HOST:PORT"),
            std::string::npos);
}

TEST(GroupCommand, HostPort) {
  auto a = parse_host_port("broker-1:9092");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "broker-1");
  EXPECT_EQ(a->port, 9092);
  auto v6 = parse_host_port("[::1]:19092");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 19092);
  for (const char* bad : {"", "host", "host:", ":9092", "host:0", "host:65536", "::1:9092",
                          "[::1]9092", "host:12x"}) {
    EXPECT_FALSE(parse_host_port(bad)) << bad;
  }
}

// --- kafka_client against a fake broker ----------------------------------------------------

// Listens on 127.0.0.1 (any port); serves one connection with `serve`, which gets each
// request frame (without its size) and returns the response frame (without its size).
class fake_broker {
 public:
  using handler = std::function<std::vector<std::byte>(std::span<const std::byte>)>;

  explicit fake_broker(handler serve) : _serve(std::move(serve)) {
    _listen = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(_listen, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    EXPECT_EQ(::listen(_listen, 1), 0);
    socklen_t len = sizeof(a);
    ::getsockname(_listen, reinterpret_cast<sockaddr*>(&a), &len);
    _port = ntohs(a.sin_port);
    _thread = std::thread([this] { run(); });
  }
  ~fake_broker() {
    ::shutdown(_listen, SHUT_RDWR);
    ::close(_listen);
    _thread.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(_port); }

 private:
  static bool read_exactly(int fd, std::byte* p, size_t n) {
    while (n > 0) {
      ssize_t got = ::recv(fd, p, n, 0);
      if (got <= 0) {
        return false;
      }
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  void run() {
    int fd = ::accept(_listen, nullptr, nullptr);
    if (fd < 0) {
      return;
    }
    for (;;) {
      std::byte size_bytes[4];
      if (!read_exactly(fd, size_bytes, 4)) {
        break;
      }
      uint32_t size = (std::to_integer<uint32_t>(size_bytes[0]) << 24) |
                      (std::to_integer<uint32_t>(size_bytes[1]) << 16) |
                      (std::to_integer<uint32_t>(size_bytes[2]) << 8) |
                      std::to_integer<uint32_t>(size_bytes[3]);
      std::vector<std::byte> frame(size);
      if (!read_exactly(fd, frame.data(), size)) {
        break;
      }
      auto response = _serve(frame);
      protocol::wire_writer w;
      w.write_int32(static_cast<int32_t>(response.size()));
      w.write_raw(response);
      ::send(fd, w.buffer().data(), w.buffer().size(), MSG_NOSIGNAL);
    }
    ::close(fd);
  }

  handler _serve;
  int _listen = -1;
  uint16_t _port = 0;
  std::thread _thread;
};

TEST(KafkaClient, AsksAgainInV0AndPicksTheHighestCommonVersion) {
  std::vector<protocol::request_header> seen;
  fake_broker broker([&](std::span<const std::byte> frame) {
    auto h = protocol::decode_request_header(frame);
    EXPECT_TRUE(h);
    seen.push_back(*h);
    protocol::wire_writer w;
    w.write_int32(h->correlation_id);
    if (h->api_key == protocol::api_versions_key) {
      // A broker that knows ApiVersions v0-2 only answers v3 with UNSUPPORTED_VERSION in a
      // v0 body, listing its ranges; v0 it answers in full.
      protocol::api_versions_response r;
      r.error_code = h->api_version > 2 ? 35 : 0;
      r.api_keys.push_back({protocol::api_versions_key, 0, 2});
      r.api_keys.push_back({protocol::list_groups_request::api_key, 0, 2});
      r.encode(w, 0);
    } else {
      EXPECT_EQ(h->api_key, protocol::list_groups_request::api_key);
      protocol::list_groups_response r;
      auto& g = r.groups.emplace_back();
      g.group_id = "g1";
      g.protocol_type = "consumer";
      r.encode(w, h->api_version);
    }
    return w.take_buffer();
  });
  auto c = kafka_client::connect(broker.address());
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->version_for<protocol::list_groups_request>(), 2);
  EXPECT_EQ(c->version_for<protocol::describe_groups_request>(), -1);
  auto r = c->call<protocol::list_groups_response>(protocol::list_groups_request{});
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->groups.size(), 1u);
  EXPECT_EQ(r->groups[0].group_id, "g1");

  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].api_version, 3);
  EXPECT_EQ(seen[1].api_version, 0);
  EXPECT_EQ(seen[2].api_version, 2);
  EXPECT_EQ(seen[2].client_id, "brook-cli");
  EXPECT_NE(seen[1].correlation_id, seen[2].correlation_id);

  auto none = c->call<protocol::describe_groups_response>(protocol::describe_groups_request{});
  EXPECT_EQ(none.error(), make_error_code(client_errc::unsupported_api));
}

TEST(KafkaClient, AnswerToAnotherRequestIsMalformed) {
  fake_broker broker([](std::span<const std::byte> frame) {
    auto h = protocol::decode_request_header(frame);
    protocol::wire_writer w;
    w.write_int32(h->correlation_id + 1);
    return w.take_buffer();
  });
  auto c = kafka_client::connect(broker.address());
  EXPECT_EQ(c.error(), make_error_code(client_errc::malformed_response));
}

TEST(KafkaClient, ConnectionRefused) {
  // A port just released: nothing listens on it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  auto c = kafka_client::connect("127.0.0.1:" + std::to_string(ntohs(a.sin_port)));
  EXPECT_EQ(c.error(), std::error_code(ECONNREFUSED, std::system_category()));
  EXPECT_EQ(kafka_client::connect("nohost").error(), make_error_code(client_errc::bad_address));
}

}  // namespace
}  // namespace brook::app
