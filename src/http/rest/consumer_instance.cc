#include "http/rest/consumer_instance.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "base/text.h"
#include "http/await.h"
#include "protocol/topic_name.h"
#include "protocol/topic_pattern.h"

namespace brook::http::rest {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
template <typename T>
using awaitable = boost::asio::awaitable<T>;

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u != 0x7f;
  });
}

rest_error invalid_config(std::string message) {
  return rest_error::make(error_codes::invalid_consumer_config, std::move(message));
}

rest_error not_found() {
  return rest_error::make(error_codes::consumer_instance_not_found, "Consumer instance not found.");
}

std::string describe(const topic_partition& tp) {
  return fmt::format("{}-{}", tp.topic, tp.partition);
}

// "binary" or "json" for a format v2 consumers take; nullopt for anything else.
std::optional<std::string> canonical_format(std::string_view format) {
  std::string f = lower(format);
  if (f.empty() || f == "binary") {
    return "binary";
  }
  if (f == "json") {
    return "json";
  }
  return std::nullopt;
}

// The reset policy of one of Kafka's auto.offset.reset names (or the old ones); nullopt if
// unknown.
std::optional<backend::reset_policy> offset_reset_of(std::string_view reset) {
  std::string r = lower(reset);
  if (r == "earliest" || r == "smallest") {
    return backend::reset_policy::earliest;
  }
  if (r == "latest" || r == "largest") {
    return backend::reset_policy::latest;
  }
  if (r == "none") {
    return backend::reset_policy::none;
  }
  return std::nullopt;
}

// Partitions named by a request: legal topics, partitions >= 0, each once.
std::optional<rest_error> check_partitions(const std::vector<topic_partition>& parts) {
  std::set<topic_partition> seen;
  for (const auto& tp : parts) {
    if (!protocol::is_legal_topic_name(tp.topic)) {
      return rest_error::make(error_codes::unprocessable_entity,
                              fmt::format("Invalid topic name '{}'", tp.topic));
    }
    if (tp.partition < 0) {
      return rest_error::make(
          error_codes::invalid_offset_or_partition,
          fmt::format("Invalid partition {} of topic '{}'", tp.partition, tp.topic));
    }
    if (!seen.insert(tp).second) {
      return rest_error::make(error_codes::unprocessable_entity,
                              fmt::format("Partition {} is named twice", describe(tp)));
    }
  }
  return std::nullopt;
}

// Awaits one of the session's calls; its answer resumes the route on its own executor.
template <typename T, typename Start>
awaitable<backend::outcome<T>> session_call(Start start) {
  co_return co_await await_callback<backend::outcome<T>>(std::move(start));
}

rest_error illegal_state(std::string message) {
  return rest_error::make(error_codes::illegal_state, std::move(message));
}

}  // namespace

std::optional<rest_error> validate_consumer_settings(const consumer_settings& s) {
  // Both names become segments of the instance's URL: "." and ".." would be read as
  // directory steps by clients and proxies that normalise paths.
  if (s.group.empty() || !printable(s.group) || s.group == "." || s.group == "..") {
    return invalid_config(
        "The consumer group name must be non-empty printable text, not '.' or '..'");
  }
  if (s.name.size() > 255 || !printable(s.name) || s.name.find('/') != std::string::npos ||
      s.name == "." || s.name == "..") {
    return invalid_config(fmt::format(
        "Invalid consumer instance name '{}': at most 255 printable characters, no '/', not "
        "'.' or '..'",
        s.name));
  }
  if (!canonical_format(s.format)) {
    std::string f = lower(s.format);
    if (f == "avro" || f == "jsonschema" || f == "protobuf") {
      return invalid_config(fmt::format(
          "Unsupported format '{}': it needs a Schema Registry, which Brook does not have; use "
          "binary or json",
          s.format));
    }
    return invalid_config(fmt::format("Invalid format '{}': binary or json", s.format));
  }
  if (!offset_reset_of(s.auto_offset_reset)) {
    return invalid_config(fmt::format("Invalid auto.offset.reset '{}': earliest, latest or none",
                                      s.auto_offset_reset));
  }
  if (s.fetch_min_bytes && (*s.fetch_min_bytes < 0 || *s.fetch_min_bytes > 100000000)) {
    return invalid_config(
        fmt::format("Invalid fetch.min.bytes {}: 0 to 100000000", *s.fetch_min_bytes));
  }
  if (s.request_timeout_ms && (*s.request_timeout_ms < 0 || *s.request_timeout_ms > 300000)) {
    return invalid_config(
        fmt::format("Invalid consumer.request.timeout.ms {}: 0 to 300000", *s.request_timeout_ms));
  }
  if (s.client_id.size() > 255 || !printable(s.client_id)) {
    return invalid_config("Invalid client.id: at most 255 printable characters");
  }
  return std::nullopt;
}

// Counts a call as running and marks the instance used when it starts and when it ends.
class consumer_instance::call_guard {
 public:
  explicit call_guard(consumer_instance& c) : _c(c) {
    ++_c._calls;
    _c.touch();
  }
  ~call_guard() {
    _c.touch();
    --_c._calls;
  }
  call_guard(const call_guard&) = delete;
  call_guard& operator=(const call_guard&) = delete;

 private:
  consumer_instance& _c;
};

consumer_instance::consumer_instance(consumer_settings settings, std::string format,
                                     std::shared_ptr<backend::consumer_session> session)
    : _settings(std::move(settings)),
      _format(std::move(format)),
      _request_timeout(_settings.request_timeout_ms ? milliseconds(*_settings.request_timeout_ms)
                                                    : default_request_timeout),
      _session(std::move(session)) {
  touch();
}

consumer_instance::~consumer_instance() {
  if (!_closed) {
    close([] {});
  }
}

consumer_instance::open_answer consumer_instance::open(const consumer_settings& settings,
                                                       backend::event_backend& backend) {
  if (auto e = validate_consumer_settings(settings)) {
    return {nullptr, std::move(e)};
  }
  if (settings.name.empty()) {
    return {nullptr, invalid_config("The consumer instance name must not be empty")};
  }
  backend::consumer_options o;
  o.group = settings.group;
  o.client_id = settings.client_id.empty()
                    ? fmt::format("brook-rest-{}-{}", settings.group, settings.name)
                    : settings.client_id;
  o.client_host = "/127.0.0.1";  // the REST Proxy, in this process
  o.reset = *offset_reset_of(settings.auto_offset_reset);
  o.auto_commit = settings.auto_commit;
  auto session = backend.open_consumer(std::move(o));
  std::shared_ptr<consumer_instance> c(
      new consumer_instance(settings, *canonical_format(settings.format), std::move(session)));
  return {std::move(c), std::nullopt};
}

void consumer_instance::touch() {
  _last_used_ns.store(steady_clock::now().time_since_epoch().count());
}

steady_clock::time_point consumer_instance::last_used() const {
  return steady_clock::time_point(steady_clock::duration(_last_used_ns.load()));
}

rest_error consumer_instance::failure_of(const backend::backend_error& e) const {
  // Closed while the call ran (DELETE, idle expiry): as for any call after the close.
  return _closed ? not_found() : from_backend(e);
}

std::optional<rest_error> consumer_instance::check_open() const {
  if (_closed) {
    return not_found();
  }
  return std::nullopt;
}

void consumer_instance::close(std::function<void()> done) {
  if (_closed.exchange(true)) {
    done();
    return;
  }
  {
    std::lock_guard lock(_mutex);
    _subscribed = false;
    _assigned = false;
    _topics.clear();
    _topic_pattern.reset();
  }
  _session->close([done = std::move(done)](const backend::outcome<void>&) { done(); });
}

awaitable<std::optional<rest_error>> consumer_instance::subscribe(
    std::vector<std::string> topics, std::optional<std::string> topic_pattern) {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return e;
  }
  bool has_topics = !topics.empty();
  bool has_pattern = topic_pattern.has_value() && !topic_pattern->empty();
  if (has_topics == has_pattern) {
    co_return rest_error::make(error_codes::unprocessable_entity,
                               "A subscription names either topics or a topic_pattern");
  }
  for (const auto& t : topics) {
    if (!protocol::is_legal_topic_name(t)) {
      co_return rest_error::make(error_codes::unprocessable_entity,
                                 fmt::format("Invalid topic name '{}'", t));
    }
  }
  if (has_pattern) {
    if (auto p = protocol::topic_pattern::compile(*topic_pattern); !p) {
      co_return rest_error::make(error_codes::unprocessable_entity, p.error().message);
    }
  } else {
    topic_pattern.reset();
  }
  {
    std::lock_guard lock(_mutex);
    if (_assigned) {
      co_return rest_error::make(error_codes::consumer_already_subscribed,
                                 "Subscription to topics, partitions and pattern are mutually "
                                 "exclusive: this consumer has assigned partitions");
    }
    std::set<std::string> names(topics.begin(), topics.end());
    _subscribed = true;
    _topics.assign(names.begin(), names.end());
    _topic_pattern = topic_pattern;
  }
  auto start = [this, topics, topic_pattern](auto done) {
    _session->subscribe(topics, topic_pattern, std::move(done));
  };
  auto r = co_await session_call<void>(std::move(start));
  co_return r ? std::nullopt : std::optional<rest_error>(failure_of(r.error()));
}

awaitable<subscription_answer> consumer_instance::subscription() {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return subscription_answer{{}, std::nullopt, std::move(e)};
  }
  std::lock_guard lock(_mutex);
  co_return subscription_answer{_topics, _topic_pattern, std::nullopt};
}

awaitable<std::optional<rest_error>> consumer_instance::unsubscribe() {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return e;
  }
  {
    std::lock_guard lock(_mutex);
    _subscribed = false;
    _assigned = false;
    _topics.clear();
    _topic_pattern.reset();
  }
  auto start = [this](auto done) { _session->unsubscribe(std::move(done)); };
  auto r = co_await session_call<void>(std::move(start));
  co_return r ? std::nullopt : std::optional<rest_error>(failure_of(r.error()));
}

awaitable<std::optional<rest_error>> consumer_instance::assign(
    std::vector<topic_partition> partitions) {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return e;
  }
  if (auto e = check_partitions(partitions)) {
    co_return e;
  }
  {
    std::lock_guard lock(_mutex);
    if (_subscribed) {
      co_return illegal_state(
          "Subscription to topics, partitions and pattern are mutually exclusive: this consumer "
          "is subscribed");
    }
    _assigned = !partitions.empty();
  }
  auto start = [this, partitions](auto done) { _session->assign(partitions, std::move(done)); };
  auto r = co_await session_call<void>(std::move(start));
  co_return r ? std::nullopt : std::optional<rest_error>(failure_of(r.error()));
}

awaitable<assignment_answer> consumer_instance::assignment() {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return assignment_answer{{}, std::move(e)};
  }
  auto parts = _session->assignment();
  std::sort(parts.begin(), parts.end());
  co_return assignment_answer{std::move(parts), std::nullopt};
}

std::optional<rest_error> consumer_instance::check_assigned(
    const std::vector<topic_partition>& parts) const {
  auto assigned = _session->assignment();
  std::set<topic_partition> now(assigned.begin(), assigned.end());
  for (const auto& tp : parts) {
    if (now.count(tp) == 0) {
      return illegal_state(fmt::format("No current assignment for partition {}", describe(tp)));
    }
  }
  return std::nullopt;
}

awaitable<std::optional<rest_error>> consumer_instance::seek(
    std::vector<partition_offset> offsets) {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return e;
  }
  std::vector<topic_partition> parts;
  std::vector<backend::seek_target> targets;
  for (const auto& o : offsets) {
    if (o.offset < 0) {
      co_return rest_error::make(
          error_codes::invalid_offset_or_partition,
          fmt::format("Invalid offset {} for partition {}-{}", o.offset, o.topic, o.partition));
    }
    parts.push_back({o.topic, o.partition});
    targets.push_back({{o.topic, o.partition}, o.offset});
  }
  if (auto e = check_partitions(parts)) {
    co_return e;
  }
  if (auto e = check_assigned(parts)) {
    co_return e;
  }
  auto start = [this, targets](auto done) { _session->seek(targets, std::move(done)); };
  auto r = co_await session_call<void>(std::move(start));
  co_return r ? std::nullopt : std::optional<rest_error>(failure_of(r.error()));
}

awaitable<std::optional<rest_error>> consumer_instance::seek_to_beginning(
    std::vector<topic_partition> partitions) {
  co_return co_await seek_to(std::move(partitions), backend::seek_target::beginning);
}

awaitable<std::optional<rest_error>> consumer_instance::seek_to_end(
    std::vector<topic_partition> partitions) {
  co_return co_await seek_to(std::move(partitions), backend::seek_target::end);
}

awaitable<std::optional<rest_error>> consumer_instance::seek_to(std::vector<topic_partition> parts,
                                                                int64_t target) {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return e;
  }
  if (auto e = check_partitions(parts)) {
    co_return e;
  }
  if (auto e = check_assigned(parts)) {
    co_return e;
  }
  std::vector<backend::seek_target> targets;
  for (const auto& tp : parts) {
    targets.push_back({tp, target});
  }
  auto start = [this, targets](auto done) { _session->seek(targets, std::move(done)); };
  auto r = co_await session_call<void>(std::move(start));
  co_return r ? std::nullopt : std::optional<rest_error>(failure_of(r.error()));
}

awaitable<records_answer> consumer_instance::poll(std::optional<milliseconds> timeout,
                                                  size_t max_bytes) {
  call_guard guard(*this);
  records_answer answer;
  if (auto e = check_open()) {
    answer.error = std::move(e);
    co_return answer;
  }
  {
    std::lock_guard lock(_mutex);
    if (!_subscribed && !_assigned) {
      answer.error =
          illegal_state("Consumer is not subscribed to any topics or assigned any partitions");
      co_return answer;
    }
  }
  backend::poll_request req;
  req.max_wait = _request_timeout;
  if (timeout && timeout->count() > 0) {
    req.max_wait = std::min(*timeout, _request_timeout);
  }
  req.min_bytes = static_cast<size_t>(std::max(1, _settings.fetch_min_bytes.value_or(1)));
  req.max_bytes = max_bytes;
  auto start = [this, req](auto done) { _session->poll(req, std::move(done)); };
  auto got = co_await session_call<backend::poll_result>(std::move(start));
  if (!got) {
    answer.error = failure_of(got.error());
    co_return answer;
  }
  if (!got->without_offset.empty()) {
    std::string names;
    for (const auto& tp : got->without_offset) {
      names += (names.empty() ? "" : ", ") + describe(tp);
    }
    answer.error = illegal_state(fmt::format(
        "No committed offset for partitions {} and auto.offset.reset is none: seek first", names));
    co_return answer;
  }
  answer.records = std::move(got->records);
  co_return answer;
}

awaitable<std::optional<rest_error>> consumer_instance::commit(
    std::optional<std::vector<partition_offset>> offsets) {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return e;
  }
  std::optional<std::vector<backend::offset_commit>> commits;
  if (offsets) {
    std::vector<topic_partition> parts;
    commits.emplace();
    for (const auto& o : *offsets) {
      if (o.offset < 0) {
        co_return rest_error::make(
            error_codes::invalid_offset_or_partition,
            fmt::format("Invalid offset {} for partition {}-{}", o.offset, o.topic, o.partition));
      }
      parts.push_back({o.topic, o.partition});
      // The body names the last record consumed.
      commits->push_back({{o.topic, o.partition}, o.offset + 1, o.metadata});
    }
    if (auto e = check_partitions(parts)) {
      co_return e;
    }
  }
  auto start = [this, commits](auto done) { _session->commit(commits, std::move(done)); };
  auto r = co_await session_call<void>(std::move(start));
  co_return r ? std::nullopt : std::optional<rest_error>(failure_of(r.error()));
}

awaitable<committed_answer> consumer_instance::committed(std::vector<topic_partition> partitions) {
  call_guard guard(*this);
  if (auto e = check_open()) {
    co_return committed_answer{{}, std::move(e)};
  }
  if (auto e = check_partitions(partitions)) {
    co_return committed_answer{{}, std::move(e)};
  }
  committed_answer answer;
  if (partitions.empty()) {
    co_return answer;
  }
  auto start = [this, partitions](auto done) { _session->committed(partitions, std::move(done)); };
  auto got = co_await session_call<std::vector<backend::committed_position>>(std::move(start));
  if (!got) {
    answer.error = failure_of(got.error());
    co_return answer;
  }
  for (auto& c : *got) {
    answer.offsets.push_back(
        {c.partition.topic, c.partition.partition, c.offset, std::move(c.metadata)});
  }
  co_return answer;
}

}  // namespace brook::http::rest
