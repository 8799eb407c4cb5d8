#include "http/rest/consumer_instance.h"

#include <fmt/format.h>
#include <regex.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string_view>
#include <thread>
#include <utility>

#include "base/log.h"
#include "protocol/topic_name.h"

namespace brook::http::rest {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How long one synchronous request to the group coordinator or a partition leader may take.
constexpr milliseconds kafka_call_timeout{10000};
// ListOffsets timestamps that ask for the log start and the log end.
constexpr int64_t earliest_timestamp = -2;
constexpr int64_t latest_timestamp = -1;
// Served at most when queued events (a rebalance) must be handled at once.
constexpr int max_served_events = 100000;
// What librdkafka may prefetch for one instance (queued.max.messages.kbytes): instances are
// many, and a poll takes records from this queue.
constexpr const char* prefetch_kbytes = "32768";

struct list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, list_deleter>;

partition_list make_list(size_t capacity) {
  return partition_list(rd_kafka_topic_partition_list_new(static_cast<int>(capacity)));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

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

// A librdkafka error as a REST error: 50003 when trying again may help, else 50002.
rest_error kafka_failure(rd_kafka_resp_err_t err, std::string_view what) {
  bool retriable = false;
  switch (err) {
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
      retriable = true;
      break;
    default:
      break;
  }
  return rest_error::make(retriable ? error_codes::kafka_retriable_error : error_codes::kafka_error,
                          fmt::format("{}: {}", what, rd_kafka_err2str(err)));
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

// librdkafka's auto.offset.reset for one of Kafka's (or the old names); nullopt if unknown.
std::optional<std::string> librdkafka_offset_reset(std::string_view reset) {
  std::string r = lower(reset);
  if (r == "earliest" || r == "smallest") {
    return "earliest";
  }
  if (r == "latest" || r == "largest") {
    return "latest";
  }
  if (r == "none") {
    return "error";
  }
  return std::nullopt;
}

// A whole-name match of a topic pattern, as Java's Pattern.matches does: the pattern is a
// POSIX extended regular expression (librdkafka's dialect), anchored at both ends.
class topic_regex {
 public:
  explicit topic_regex(const std::string& pattern) {
    _anchored = "^(" + pattern + ")$";
    int rc = regcomp(&_re, _anchored.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char buf[256];
      regerror(rc, &_re, buf, sizeof(buf));
      _error = buf;
    }
  }
  ~topic_regex() {
    if (!_error) {
      regfree(&_re);
    }
  }
  topic_regex(const topic_regex&) = delete;
  topic_regex& operator=(const topic_regex&) = delete;

  const std::optional<std::string>& error() const { return _error; }
  const std::string& anchored() const { return _anchored; }
  bool matches(const std::string& topic) const {
    return !_error && regexec(&_re, topic.c_str(), 0, nullptr, 0) == 0;
  }

 private:
  regex_t _re{};
  std::string _anchored;
  std::optional<std::string> _error;
};

size_t record_bytes(const consumed_record& r) {
  return (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
}

std::vector<topic_partition> partitions_of(const rd_kafka_topic_partition_list_t* list) {
  std::vector<topic_partition> out;
  if (list != nullptr) {
    out.reserve(static_cast<size_t>(list->cnt));
    for (int i = 0; i < list->cnt; ++i) {
      out.push_back({list->elems[i].topic, list->elems[i].partition});
    }
  }
  return out;
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

}  // namespace

std::optional<rest_error> validate_consumer_settings(const consumer_settings& s) {
  if (s.group.empty() || !printable(s.group)) {
    return invalid_config("The consumer group name must be non-empty printable text");
  }
  // The name becomes part of the instance's URL.
  if (s.name.size() > 255 || !printable(s.name) || s.name.find('/') != std::string::npos) {
    return invalid_config(fmt::format(
        "Invalid consumer instance name '{}': at most 255 printable characters, no '/'", s.name));
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
  if (!librdkafka_offset_reset(s.auto_offset_reset)) {
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

consumer_instance::consumer_instance(consumer_settings settings, std::string format)
    : _settings(std::move(settings)),
      _format(std::move(format)),
      _request_timeout(_settings.request_timeout_ms ? milliseconds(*_settings.request_timeout_ms)
                                                    : default_request_timeout) {
  touch();
}

consumer_instance::~consumer_instance() {
  close();
}

consumer_instance::open_answer consumer_instance::open(const consumer_settings& settings,
                                                       const std::string& bootstrap_servers) {
  if (auto e = validate_consumer_settings(settings)) {
    return {nullptr, std::move(e)};
  }
  if (settings.name.empty()) {
    return {nullptr, invalid_config("The consumer instance name must not be empty")};
  }
  std::shared_ptr<consumer_instance> c(
      new consumer_instance(settings, *canonical_format(settings.format)));

  std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", bootstrap_servers},
      {"group.id", settings.group},
      {"client.id", settings.client_id.empty()
                        ? fmt::format("brook-rest-{}-{}", settings.group, settings.name)
                        : settings.client_id},
      {"enable.auto.commit", settings.auto_commit ? "true" : "false"},
      // Positions are stored when a poll returns records, so only those count as consumed.
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", *librdkafka_offset_reset(settings.auto_offset_reset)},
      {"session.timeout.ms", "45000"},
      // Eager assignors: a rebalance revokes everything, then assigns (see on_rebalance).
      {"partition.assignment.strategy", "range,roundrobin"},
      {"queued.max.messages.kbytes", prefetch_kbytes},
      // librdkafka 2.0 backs a partition's fetches off by fetch.error.backoff.ms when its
      // prefetch queue is full, as for an error: at the default 500 ms a reader faster than
      // the prefetch stalls half a second at a time (measured: 14k records/s).
      {"fetch.error.backoff.ms", "10"},
      {"enable.partition.eof", "false"},
      {"log.connection.close", "false"},
  };
  if (settings.fetch_min_bytes) {
    properties.emplace_back("fetch.min.bytes",
                            std::to_string(std::max(1, *settings.fetch_min_bytes)));
  }
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return {nullptr, invalid_config(fmt::format("Invalid consumer setting {}: {}", key, errstr))};
    }
  }
  rd_kafka_conf_set_opaque(conf, c.get());
  rd_kafka_conf_set_rebalance_cb(conf, &consumer_instance::rebalance_callback);
  rd_kafka_conf_set_log_cb(conf, &consumer_instance::log_callback);
  c->_rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (c->_rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return {nullptr, rest_error::make(error_codes::kafka_error,
                                      fmt::format("Cannot create the consumer: {}", errstr))};
  }
  // Everything (logs aside) is served by the consumer's poll, in the calling thread.
  rd_kafka_poll_set_consumer(c->_rk);
  return {std::move(c), std::nullopt};
}

void consumer_instance::touch() {
  _last_used_ns.store(steady_clock::now().time_since_epoch().count());
}

steady_clock::time_point consumer_instance::last_used() const {
  return steady_clock::time_point(steady_clock::duration(_last_used_ns.load()));
}

std::optional<rest_error> consumer_instance::check_open() const {
  if (_rk == nullptr) {
    return not_found();
  }
  return std::nullopt;
}

void consumer_instance::close() {
  std::lock_guard lock(_mutex);
  if (_rk == nullptr) {
    _closed = true;
    return;
  }
  if (!_subscribed) {
    settle_assignment();  // librdkafka unassigns as it closes
  }
  // Leaves the group: the revoke runs on_rebalance here (the lock is held), and with auto
  // commit librdkafka commits the stored positions as the partitions go.
  if (auto err = rd_kafka_consumer_close(_rk); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::debug("REST consumer {}/{}: close: {}", group(), name(), rd_kafka_err2str(err));
  }
  rd_kafka_destroy(_rk);
  _rk = nullptr;
  _closed = true;
  _subscribed = false;
  _topics.clear();
  _topic_pattern.reset();
  clear_assignment_state();
}

std::optional<rest_error> consumer_instance::subscribe(
    const std::vector<std::string>& topics, const std::optional<std::string>& topic_pattern) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return e;
  }
  bool has_topics = !topics.empty();
  bool has_pattern = topic_pattern.has_value() && !topic_pattern->empty();
  if (has_topics == has_pattern) {
    return rest_error::make(error_codes::unprocessable_entity,
                            "A subscription names either topics or a topic_pattern");
  }
  if (!_subscribed && !_positions.empty()) {
    return rest_error::make(error_codes::consumer_already_subscribed,
                            "Subscription to topics, partitions and pattern are mutually "
                            "exclusive: this consumer has assigned partitions");
  }
  std::set<std::string> names;
  for (const auto& t : topics) {
    // Kafka's rule also keeps '^' out: librdkafka reads a name starting with it as a regular
    // expression.
    if (!protocol::is_legal_topic_name(t)) {
      return rest_error::make(error_codes::unprocessable_entity,
                              fmt::format("Invalid topic name '{}'", t));
    }
    names.insert(t);
  }
  std::optional<topic_regex> regex;
  if (has_pattern) {
    regex.emplace(*topic_pattern);
    if (regex->error()) {
      return rest_error::make(
          error_codes::unprocessable_entity,
          fmt::format("Invalid topic_pattern '{}': {}", *topic_pattern, *regex->error()));
    }
  }
  auto list = make_list(std::max<size_t>(names.size(), 1));
  if (regex) {
    rd_kafka_topic_partition_list_add(list.get(), regex->anchored().c_str(), RD_KAFKA_PARTITION_UA);
  }
  for (const auto& t : names) {
    rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (auto err = rd_kafka_subscribe(_rk, list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_failure(err, "Subscribe");
  }
  _subscribed = true;
  _topics.assign(names.begin(), names.end());
  _topic_pattern = has_pattern ? topic_pattern : std::nullopt;
  // Records of topics no longer subscribed are not returned (Kafka's consumer drops them too);
  // the rebalance that follows takes their partitions away.
  std::erase_if(_buffered, [&](const consumed_record& r) {
    return regex ? !regex->matches(r.topic) : names.count(r.topic) == 0;
  });
  return std::nullopt;
}

subscription_answer consumer_instance::subscription() {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return {{}, std::nullopt, std::move(e)};
  }
  return {_topics, _topic_pattern, std::nullopt};
}

std::optional<rest_error> consumer_instance::unsubscribe() {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return e;
  }
  std::optional<rest_error> error;
  if (_subscribed) {
    if (auto err = rd_kafka_unsubscribe(_rk); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = kafka_failure(err, "Unsubscribe");
    }
    // The group's partitions are revoked through the rebalance callback, which unassigns;
    // then librdkafka leaves the group. Fetched records are dropped on the way.
    serve_events();
    const auto deadline = steady_clock::now() + kafka_call_timeout;
    while (!_positions.empty() && steady_clock::now() < deadline) {
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(_rk, 100)) {
        rd_kafka_message_destroy(m);
      }
    }
  } else {
    settle_assignment();
  }
  if (!_positions.empty()) {
    rd_kafka_assign(_rk, nullptr);
  }
  _subscribed = false;
  _topics.clear();
  _topic_pattern.reset();
  clear_assignment_state();
  return error;
}

std::optional<rest_error> consumer_instance::assign(
    const std::vector<topic_partition>& partitions) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return e;
  }
  if (_subscribed) {
    return rest_error::make(error_codes::illegal_state,
                            "Subscription to topics, partitions and pattern are mutually "
                            "exclusive: this consumer is subscribed");
  }
  if (auto e = check_partitions(partitions)) {
    return e;
  }
  settle_assignment();
  // Partitions assigned already keep their positions, as with Kafka's assign().
  if (auto e = set_start_positions(partitions, true, true)) {
    return e;
  }
  return apply_assignment();
}

assignment_answer consumer_instance::assignment() {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return {{}, std::move(e)};
  }
  assignment_answer answer;
  for (const auto& [tp, position] : _positions) {
    answer.partitions.push_back(tp);
  }
  return answer;
}

std::optional<rest_error> consumer_instance::seek(const std::vector<partition_offset>& offsets) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return e;
  }
  std::vector<topic_partition> parts;
  for (const auto& o : offsets) {
    if (o.offset < 0) {
      return rest_error::make(
          error_codes::invalid_offset_or_partition,
          fmt::format("Invalid offset {} for partition {}-{}", o.offset, o.topic, o.partition));
    }
    parts.push_back({o.topic, o.partition});
  }
  if (auto e = check_partitions(parts)) {
    return e;
  }
  if (auto e = check_assigned(parts)) {
    return e;
  }
  for (const auto& o : offsets) {
    _positions[{o.topic, o.partition}] = o.offset;
  }
  store_positions(parts);  // a position set by a seek is committed, as in Kafka
  return seek_fetchers(parts);
}

std::optional<rest_error> consumer_instance::seek_to_beginning(
    const std::vector<topic_partition>& partitions) {
  return seek_to(partitions, earliest_timestamp);
}

std::optional<rest_error> consumer_instance::seek_to_end(
    const std::vector<topic_partition>& partitions) {
  return seek_to(partitions, latest_timestamp);
}

std::optional<rest_error> consumer_instance::seek_to(const std::vector<topic_partition>& parts,
                                                     int64_t timestamp) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return e;
  }
  if (auto e = check_partitions(parts)) {
    return e;
  }
  if (auto e = check_assigned(parts)) {
    return e;
  }
  auto resolved = list_offsets(parts, timestamp);
  for (const auto& tp : parts) {
    auto it = resolved.find(tp);
    // Unresolved (the leader did not answer): librdkafka resolves the logical offset.
    _positions[tp] = it != resolved.end()              ? it->second
                     : timestamp == earliest_timestamp ? RD_KAFKA_OFFSET_BEGINNING
                                                       : RD_KAFKA_OFFSET_END;
  }
  store_positions(parts);
  return seek_fetchers(parts);
}

std::optional<rest_error> consumer_instance::seek_fetchers(
    const std::vector<topic_partition>& parts) {
  std::set<topic_partition> sought(parts.begin(), parts.end());
  std::erase_if(_buffered, [&](const consumed_record& r) {
    return sought.count({r.topic, r.partition}) != 0;
  });
  if (sought.empty()) {
    return std::nullopt;
  }
  auto list = make_list(sought.size());
  for (const auto& tp : sought) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        _positions.at(tp);
  }
  if (rd_kafka_error_t* e =
          rd_kafka_seek_partitions(_rk, list.get(), static_cast<int>(kafka_call_timeout.count()))) {
    auto error = rest_error::make(error_codes::kafka_error,
                                  fmt::format("Seek: {}", rd_kafka_error_string(e)));
    rd_kafka_error_destroy(e);
    return error;
  }
  std::optional<rest_error> error;
  auto resume = make_list(sought.size());
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    topic_partition tp{elem.topic, elem.partition};
    if (elem.err == RD_KAFKA_RESP_ERR__STATE || elem.err == RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS) {
      _unsettled_seeks.insert(tp);  // the fetcher has not started: the next polls retry
      continue;
    }
    _unsettled_seeks.erase(tp);
    if (elem.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = kafka_failure(elem.err, fmt::format("Seek of partition {}", describe(tp)));
      continue;
    }
    if (_without_offset.erase(tp) != 0) {
      rd_kafka_topic_partition_list_add(resume.get(), elem.topic, elem.partition);
    }
  }
  if (resume->cnt > 0) {
    rd_kafka_resume_partitions(_rk, resume.get());
  }
  return error;
}

records_answer consumer_instance::poll(std::optional<milliseconds> timeout, size_t max_bytes) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  records_answer answer;
  if (auto e = check_open()) {
    answer.error = std::move(e);
    return answer;
  }
  if (!_subscribed && _positions.empty()) {
    answer.error =
        rest_error::make(error_codes::illegal_state,
                         "Consumer is not subscribed to any topics or assigned any partitions");
    return answer;
  }
  if (!_without_offset.empty() && _subscribed) {
    // Serve a rebalance all the same (it may take these partitions away), keeping what is
    // fetched for the other partitions.
    std::optional<rest_error> ignored;
    for (int i = 0; i < max_served_events; ++i) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(_rk, 0);
      if (m == nullptr) {
        break;
      }
      take_message(*m, ignored);
      rd_kafka_message_destroy(m);
    }
  }
  if (!_without_offset.empty()) {
    std::string names;
    for (const auto& tp : _without_offset) {
      names += (names.empty() ? "" : ", ") + describe(tp);
    }
    answer.error = rest_error::make(
        error_codes::illegal_state,
        fmt::format("No committed offset for partitions {} and auto.offset.reset is none: seek "
                    "first",
                    names));
    return answer;
  }
  milliseconds wait = _request_timeout;
  if (timeout && timeout->count() > 0) {
    wait = std::min(*timeout, _request_timeout);
  }
  const auto deadline = steady_clock::now() + wait;
  std::optional<rest_error> error;
  size_t bytes = 0;
  while (true) {
    if (!_unsettled_seeks.empty()) {
      std::vector<topic_partition> parts(_unsettled_seeks.begin(), _unsettled_seeks.end());
      if (auto e = seek_fetchers(parts)) {
        log::debug("REST consumer {}/{}: {}", group(), name(), e->message);
      }
    }
    bool full = false;
    while (!_buffered.empty()) {
      size_t size = record_bytes(_buffered.front());
      if (bytes + size > max_bytes) {
        full = true;
        break;
      }
      bytes += size;
      answer.records.push_back(std::move(_buffered.front()));
      _buffered.pop_front();
    }
    if (full) {
      break;
    }
    // Enough to answer: any record, or fetch.min.bytes of them when set. Then only what is
    // already queued is taken, without waiting.
    bool enough = !answer.records.empty() &&
                  bytes >= static_cast<size_t>(_settings.fetch_min_bytes.value_or(0));
    auto remaining = std::chrono::ceil<milliseconds>(deadline - steady_clock::now());
    if (enough && remaining.count() <= 0) {
      break;
    }
    int wait_ms = enough ? 0 : static_cast<int>(std::max<int64_t>(remaining.count(), 0));
    if (!_unsettled_seeks.empty()) {
      wait_ms = std::min(wait_ms, 10);  // a fetcher starts within milliseconds: seek it then
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(_rk, wait_ms);
    if (m == nullptr) {
      if (enough || steady_clock::now() >= deadline) {
        break;
      }
      continue;
    }
    take_message(*m, error);
    rd_kafka_message_destroy(m);
  }
  // The client's positions move past what it gets: these are what is committed.
  std::map<topic_partition, int64_t> next;
  for (const auto& r : answer.records) {
    next[{r.topic, r.partition}] = r.offset + 1;
  }
  std::vector<topic_partition> moved;
  for (const auto& [tp, offset] : next) {
    if (auto it = _positions.find(tp); it != _positions.end()) {
      it->second = offset;
      moved.push_back(tp);
    }
  }
  store_positions(moved);
  if (answer.records.empty() && error) {
    answer.error = std::move(error);
  }
  return answer;
}

void consumer_instance::take_message(const rd_kafka_message_t& m,
                                     std::optional<rest_error>& error) {
  if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      return;
    }
    if (m.err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
      error = rest_error::make(
          error_codes::illegal_state,
          fmt::format("No offset to start from ({}) and auto.offset.reset is none: seek first",
                      rd_kafka_message_errstr(&m)));
      return;
    }
    char errstr[512];
    if (rd_kafka_fatal_error(_rk, errstr, sizeof(errstr)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = rest_error::make(error_codes::kafka_error,
                               fmt::format("The consumer failed: {}", errstr));
      return;
    }
    // Not an error of the poll: an unknown topic, a broker gone for a while.
    log::debug("REST consumer {}/{}: {}", group(), name(), rd_kafka_message_errstr(&m));
    return;
  }
  topic_partition tp{rd_kafka_topic_name(m.rkt), m.partition};
  auto it = _positions.find(tp);
  if (it == _positions.end()) {
    return;  // the partition left the assignment after the record was fetched
  }
  if (_unsettled_seeks.count(tp) != 0 || _without_offset.count(tp) != 0 ||
      (it->second >= 0 && m.offset < it->second)) {
    return;  // from before a seek (done, or not done yet)
  }
  consumed_record r;
  r.topic = std::move(tp.topic);
  r.partition = m.partition;
  r.offset = m.offset;
  r.timestamp_ms = rd_kafka_message_timestamp(&m, nullptr);
  if (m.key != nullptr) {
    r.key.emplace(static_cast<const char*>(m.key), m.key_len);
  }
  if (m.payload != nullptr) {
    r.value.emplace(static_cast<const char*>(m.payload), m.len);
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* hname = nullptr;
    const void* hvalue = nullptr;
    size_t hsize = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &hname, &hvalue, &hsize) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      protocol::record_header h;
      h.key = hname;
      if (hvalue != nullptr) {
        h.value.assign(static_cast<const char*>(hvalue), hsize);
      } else {
        h.null_value = true;
      }
      r.headers.push_back(std::move(h));
    }
  }
  _buffered.push_back(std::move(r));
}

std::optional<rest_error> consumer_instance::commit(
    const std::optional<std::vector<partition_offset>>& offsets) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return e;
  }
  partition_list list;
  if (!offsets) {
    list = make_list(std::max<size_t>(_positions.size(), 1));
    for (const auto& [tp, position] : _positions) {
      if (position >= 0) {
        rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
            position;
      }
    }
  } else {
    std::vector<topic_partition> parts;
    for (const auto& o : *offsets) {
      if (o.offset < 0) {
        return rest_error::make(
            error_codes::invalid_offset_or_partition,
            fmt::format("Invalid offset {} for partition {}-{}", o.offset, o.topic, o.partition));
      }
      parts.push_back({o.topic, o.partition});
    }
    if (auto e = check_partitions(parts)) {
      return e;
    }
    list = make_list(std::max<size_t>(offsets->size(), 1));
    for (const auto& o : *offsets) {
      auto* elem = rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition);
      elem->offset = o.offset + 1;  // the body names the last record consumed
      if (o.metadata && !o.metadata->empty()) {
        // Freed by rd_kafka_topic_partition_list_destroy.
        elem->metadata = rd_kafka_mem_malloc(_rk, o.metadata->size());
        std::memcpy(elem->metadata, o.metadata->data(), o.metadata->size());
        elem->metadata_size = o.metadata->size();
      }
    }
  }
  if (list->cnt == 0) {
    return std::nullopt;
  }
  auto err = rd_kafka_commit(_rk, list.get(), 0 /* synchronous */);
  if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) {
    return std::nullopt;
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_failure(err, "Commit");
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    if (elem.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return kafka_failure(elem.err,
                           fmt::format("Commit of partition {}-{}", elem.topic, elem.partition));
    }
  }
  return std::nullopt;
}

committed_answer consumer_instance::committed(const std::vector<topic_partition>& partitions) {
  call_guard guard(*this);
  std::lock_guard lock(_mutex);
  if (auto e = check_open()) {
    return {{}, std::move(e)};
  }
  if (auto e = check_partitions(partitions)) {
    return {{}, std::move(e)};
  }
  committed_answer answer;
  if (partitions.empty()) {
    return answer;
  }
  auto list = make_list(partitions.size());
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  auto err = rd_kafka_committed(_rk, list.get(), static_cast<int>(kafka_call_timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    answer.error = kafka_failure(err, "Committed offsets");
    return answer;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    if (elem.err != RD_KAFKA_RESP_ERR_NO_ERROR || elem.offset < 0) {
      continue;  // nothing committed (Confluent leaves these out as well)
    }
    committed_offset c{elem.topic, elem.partition, elem.offset, {}};
    if (elem.metadata != nullptr) {
      c.metadata.assign(static_cast<const char*>(elem.metadata), elem.metadata_size);
    }
    answer.offsets.push_back(std::move(c));
  }
  return answer;
}

std::optional<rest_error> consumer_instance::set_start_positions(
    const std::vector<topic_partition>& parts, bool keep_current, bool strict) {
  std::map<topic_partition, int64_t> positions;
  std::set<topic_partition> without_offset;
  std::vector<topic_partition> fresh;
  for (const auto& tp : parts) {
    auto it = _positions.find(tp);
    if (keep_current && it != _positions.end()) {
      positions[tp] = it->second;
      if (_without_offset.count(tp) != 0) {
        without_offset.insert(tp);
      }
    } else {
      fresh.push_back(tp);
    }
  }
  std::vector<topic_partition> without_commit;
  if (!fresh.empty()) {
    auto list = make_list(fresh.size());
    for (const auto& tp : fresh) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
    }
    auto err = rd_kafka_committed(_rk, list.get(), static_cast<int>(kafka_call_timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && strict) {
      return kafka_failure(err, "Committed offsets");
    }
    for (int i = 0; i < list->cnt; ++i) {
      const auto& elem = list->elems[i];
      topic_partition tp{elem.topic, elem.partition};
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR && elem.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (elem.offset >= 0) {
          positions[tp] = elem.offset;
        } else {
          without_commit.push_back(tp);
        }
      } else {
        // Unknown for now: librdkafka asks the coordinator itself when it starts the partition.
        positions[tp] = RD_KAFKA_OFFSET_INVALID;
      }
    }
  }
  std::string reset = *librdkafka_offset_reset(_settings.auto_offset_reset);
  if (reset == "error") {
    for (const auto& tp : without_commit) {
      positions[tp] = RD_KAFKA_OFFSET_END;  // paused there until a seek
      without_offset.insert(tp);
    }
  } else if (!without_commit.empty()) {
    bool earliest = reset == "earliest";
    auto resolved = list_offsets(without_commit, earliest ? earliest_timestamp : latest_timestamp);
    for (const auto& tp : without_commit) {
      auto it = resolved.find(tp);
      positions[tp] = it != resolved.end() ? it->second
                      : earliest           ? RD_KAFKA_OFFSET_BEGINNING
                                           : RD_KAFKA_OFFSET_END;
    }
  }
  _positions = std::move(positions);
  _without_offset = std::move(without_offset);
  return std::nullopt;
}

std::map<topic_partition, int64_t> consumer_instance::list_offsets(
    const std::vector<topic_partition>& parts, int64_t timestamp) {
  std::map<topic_partition, int64_t> out;
  if (parts.empty()) {
    return out;
  }
  auto list = make_list(parts.size());
  for (const auto& tp : parts) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
        timestamp;
  }
  auto err =
      rd_kafka_offsets_for_times(_rk, list.get(), static_cast<int>(kafka_call_timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::debug("REST consumer {}/{}: list offsets: {}", group(), name(), rd_kafka_err2str(err));
    return out;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    if (elem.err == RD_KAFKA_RESP_ERR_NO_ERROR && elem.offset >= 0) {
      out[{elem.topic, elem.partition}] = elem.offset;
    }
  }
  return out;
}

std::optional<rest_error> consumer_instance::apply_assignment() {
  _buffered.clear();
  _unsettled_seeks.clear();
  rd_kafka_resp_err_t err;
  if (_positions.empty()) {
    err = rd_kafka_assign(_rk, nullptr);
  } else {
    auto list = make_list(_positions.size());
    for (const auto& [tp, position] : _positions) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
          position;
    }
    err = rd_kafka_assign(_rk, list.get());
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafka_failure(err, "Assign");
  }
  if (!_without_offset.empty()) {
    auto paused = make_list(_without_offset.size());
    for (const auto& tp : _without_offset) {
      rd_kafka_topic_partition_list_add(paused.get(), tp.topic.c_str(), tp.partition);
    }
    rd_kafka_pause_partitions(_rk, paused.get());
  }
  // librdkafka forgets stored offsets on assignment: store the positions again.
  std::vector<topic_partition> all;
  for (const auto& [tp, position] : _positions) {
    all.push_back(tp);
  }
  store_positions(all);
  return std::nullopt;
}

void consumer_instance::settle_assignment() {
  if (_positions.empty()) {
    return;
  }
  // A seek to RD_KAFKA_OFFSET_STORED probes without effect: librdkafka refuses it with
  // __STATE (not started) or __PREV_IN_PROGRESS (stopping), and once the fetcher runs with
  // __INVALID_ARG, before it changes anything.
  const auto deadline = steady_clock::now() + kafka_call_timeout;
  while (true) {
    auto list = make_list(_positions.size());
    for (const auto& [tp, position] : _positions) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
          RD_KAFKA_OFFSET_STORED;
    }
    if (rd_kafka_error_t* e = rd_kafka_seek_partitions(
            _rk, list.get(), static_cast<int>(kafka_call_timeout.count()))) {
      rd_kafka_error_destroy(e);
      return;
    }
    bool started = true;
    for (int i = 0; i < list->cnt; ++i) {
      auto err = list->elems[i].err;
      started =
          started && err != RD_KAFKA_RESP_ERR__STATE && err != RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS;
    }
    if (started || steady_clock::now() >= deadline) {
      if (!started) {
        log::warn("REST consumer {}/{}: partition fetchers did not start in {} ms", group(), name(),
                  kafka_call_timeout.count());
      }
      return;
    }
    // librdkafka has no event for a fetcher start; it comes within milliseconds.
    std::this_thread::sleep_for(milliseconds(5));
  }
}

void consumer_instance::store_positions(const std::vector<topic_partition>& parts) {
  auto list = make_list(std::max<size_t>(parts.size(), 1));
  for (const auto& tp : parts) {
    auto it = _positions.find(tp);
    if (it != _positions.end() && it->second >= 0) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset =
          it->second;
    }
  }
  if (list->cnt == 0) {
    return;
  }
  if (auto err = rd_kafka_offsets_store(_rk, list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log::debug("REST consumer {}/{}: store offsets: {}", group(), name(), rd_kafka_err2str(err));
  }
}

void consumer_instance::serve_events() {
  for (int i = 0; i < max_served_events; ++i) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(_rk, 0);
    if (m == nullptr) {
      return;
    }
    rd_kafka_message_destroy(m);
  }
}

std::optional<rest_error> consumer_instance::check_assigned(
    const std::vector<topic_partition>& parts) const {
  for (const auto& tp : parts) {
    if (_positions.count(tp) == 0) {
      return rest_error::make(error_codes::illegal_state,
                              fmt::format("No current assignment for partition {}", describe(tp)));
    }
  }
  return std::nullopt;
}

void consumer_instance::clear_assignment_state() {
  _positions.clear();
  _without_offset.clear();
  _unsettled_seeks.clear();
  _buffered.clear();
}

void consumer_instance::on_rebalance(rd_kafka_resp_err_t err,
                                     rd_kafka_topic_partition_list_t* partitions) {
  if (!_subscribed) {
    // A late event of a subscription that has ended: unsubscribe() has unassigned already,
    // and a manual assignment made since must stay.
    log::debug("REST consumer {}/{}: ignoring a rebalance after unsubscribe: {}", group(), name(),
               rd_kafka_err2str(err));
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Eager assignment: the whole assignment, every partition from its committed offset.
    // librdkafka serialises rebalances: the revoke's fetcher stops are over by now.
    clear_assignment_state();
    (void)set_start_positions(partitions_of(partitions), false, false);
    if (auto e = apply_assignment()) {
      log::warn("REST consumer {}/{}: {}", group(), name(), e->message);
    }
    return;
  }
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    log::warn("REST consumer {}/{}: rebalance failed: {}", group(), name(), rd_kafka_err2str(err));
  }
  // With auto commit librdkafka commits the stored positions as it unassigns.
  rd_kafka_assign(_rk, nullptr);
  clear_assignment_state();
}

void consumer_instance::rebalance_callback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                           rd_kafka_topic_partition_list_t* partitions,
                                           void* opaque) {
  (void)rk;
  // Runs inside rd_kafka_consumer_poll or rd_kafka_consumer_close, called by a member
  // function that holds _mutex.
  static_cast<consumer_instance*>(opaque)->on_rebalance(err, partitions);
}

void consumer_instance::log_callback(const rd_kafka_t* rk, int level, const char* facility,
                                     const char* message) {
  const auto* self = static_cast<const consumer_instance*>(rd_kafka_opaque(rk));
  std::string_view group = self != nullptr ? std::string_view(self->group()) : "";
  std::string_view name = self != nullptr ? std::string_view(self->name()) : "";
  if (level <= 4) {  // emergency to warning
    log::warn("REST consumer {}/{}: {}: {}", group, name, facility, message);
  } else if (level <= 6) {
    log::debug("REST consumer {}/{}: {}: {}", group, name, facility, message);
  } else {
    log::trace("REST consumer {}/{}: {}: {}", group, name, facility, message);
  }
}

}  // namespace brook::http::rest
