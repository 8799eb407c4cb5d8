#include "app/cli/bench_runs.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <random>
#include <thread>

#include "app/cli/bench_consumer.h"
#include "app/cli/bench_pacer.h"
#include "app/cli/bench_producer.h"
#include "app/cli/key_value.h"
#include "app/cli/progress_line.h"

namespace brook::app {

namespace {

using namespace std::chrono_literals;

constexpr auto admin_timeout = 10s;
constexpr auto drain_timeout = 60s;  // for the last deliveries or records after sending
constexpr auto stall_timeout = 10s;  // consume: no record for this long ends the run
constexpr double default_duration_s = 10;
// An e2e record's value starts with the run's id and its send time (CLOCK_MONOTONIC ns),
// both in host order: the consumer is the same process.
constexpr size_t e2e_header_bytes = 16;

double ms(int64_t ns) {
  return static_cast<double>(ns) / 1e6;
}

// 0 when nothing happened after `from`.
double seconds_between(int64_t from_ns, int64_t to_ns) {
  return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e9 : 0;
}

// Random upper-case letters, like Kafka's producer-perf-test: compressible about as much
// as text, not as much as a run of one byte.
std::string make_payload(int64_t size) {
  std::string s(static_cast<size_t>(size), 'A');
  std::mt19937 gen(20261123);
  std::uniform_int_distribution<int> letter(0, 25);
  for (auto& c : s) {
    c = static_cast<char>('A' + letter(gen));
  }
  return s;
}

// -X NAME=VALUE, then sasl.password from BROOK_BENCH_SASL_PASSWORD when set (kept off the
// command line).
void add_given_properties(const bench_options& o, property_list& p) {
  for (const auto& given : o.properties) {
    p.push_back(split_key_value(given));
  }
  if (const char* password = std::getenv("BROOK_BENCH_SASL_PASSWORD")) {
    p.emplace_back("sasl.password", password);
  }
}

property_list producer_properties(const bench_options& o, int32_t linger_ms) {
  property_list p = {
      {"bootstrap.servers", o.bootstrap},
      {"acks", o.acks},
      {"compression.type", o.compression},
      {"message.max.bytes", std::to_string(std::max<int64_t>(1'000'000, o.record_size + 1024))}};
  if (linger_ms >= 0) {
    p.emplace_back("linger.ms", std::to_string(linger_ms));
  }
  if (o.batch_size > 0) {
    p.emplace_back("batch.size", std::to_string(o.batch_size));
  }
  if (o.transaction_records > 0) {
    // One id per run: a second bench would fence this one.
    p.emplace_back("transactional.id",
                   fmt::format("brook-bench-{}-{}", ::getpid(), monotonic_ns()));
  }
  add_given_properties(o, p);
  return p;
}

property_list consumer_properties(const bench_options& o) {
  property_list p = {{"bootstrap.servers", o.bootstrap}};
  add_given_properties(o, p);
  return p;
}

// The topic's partition count, creating it first when --partitions asks for it.
outcome<int32_t> prepare_topic(rd_kafka_t* rk, const bench_options& o, std::ostream& progress) {
  if (o.partitions <= 0) {
    return partition_count(rk, o.topic, admin_timeout);
  }
  auto n = ensure_topic(rk, o.topic, o.partitions, admin_timeout);
  if (!n) {
    // A broker without CreateTopics still creates topics on first use, with its default
    // partition count.
    progress << fmt::format("brook bench: {}; relying on the broker's auto-creation\n", n.error());
    n = partition_count(rk, o.topic, admin_timeout);
  }
  if (n && *n != o.partitions) {
    progress << fmt::format("brook bench: topic {} exists with {} partitions, not {}: using {}\n",
                            o.topic, *n, o.partitions, *n);
  }
  return n;
}

// Sends records paced by --rate until --count or --duration; `fill` may rewrite the
// payload before each send (e2e stamps it).
template <typename Fill>
bool send_all(const bench_options& o, bench_producer& producer, std::string& payload, bool copy,
              rate_pacer& pacer, progress_line& line, Fill&& fill) {
  double duration = o.count > 0 ? 0 : (o.duration_s > 0 ? o.duration_s : default_duration_s);
  int64_t end_ns = monotonic_ns() + static_cast<int64_t>(duration * 1e9);
  for (int64_t i = 0; o.count > 0 ? i < o.count : monotonic_ns() < end_ns; ++i) {
    pacer.wait_turn();
    fill(payload);
    if (!producer.send(payload.data(), payload.size(), copy)) {
      line.finish();
      return false;
    }
    line.update(producer.delivered(), producer.delivered_bytes());
  }
  line.finish();
  return true;
}

}  // namespace

latency_summary latency_summary::of(const latency_histogram& h) {
  return {h.count(), ms(h.percentile(0.50)), ms(h.percentile(0.99)), ms(h.percentile(0.999)),
          ms(h.max())};
}

outcome<bench_report> run_produce(const bench_options& o, std::ostream& progress) {
  bench_report r;
  r.linger_ms = o.linger_ms;
  auto producer = bench_producer::open(producer_properties(o, o.linger_ms));
  if (!producer) {
    return failure(producer.error());
  }
  auto& p = **producer;
  auto partitions = prepare_topic(p.handle(), o, progress);
  if (!partitions) {
    return failure(partitions.error());
  }
  r.partitions = *partitions;
  if (auto t = p.select_topic(o.topic); !t) {
    return failure(t.error());
  }

  std::string payload = make_payload(o.record_size);
  rate_pacer pacer(o.rate);
  // The payload is never rewritten: librdkafka may point at it until the last delivery.
  progress_line line(progress, progress_line::stderr_is_terminal() && !o.json);
  // --transaction-records: a commit (which waits for the transaction's records) after
  // every so many, and one at the end.
  const bool transactional = o.transaction_records > 0;
  if (transactional) {
    if (auto st = p.init_transactions(admin_timeout); !st) {
      return failure(st.error());
    }
    if (auto st = p.begin(); !st) {
      return failure(st.error());
    }
  }
  int64_t in_transaction = 0;
  std::string transaction_error;
  bool sent_all = send_all(o, p, payload, false, pacer, line, [&](std::string&) {
    if (!transactional || transaction_error.size() > 0 ||
        in_transaction++ < o.transaction_records) {
      return;
    }
    in_transaction = 1;
    if (auto st = p.commit(drain_timeout); !st) {
      transaction_error = st.error();
    } else if (auto begun = p.begin(); !begun) {
      transaction_error = begun.error();
    }
  });
  if (transactional && transaction_error.empty()) {
    if (auto st = p.commit(drain_timeout); !st) {
      transaction_error = st.error();
    }
  }
  if (!transaction_error.empty()) {
    return failure(transaction_error);
  }
  bool drained = p.wait_all_delivered(drain_timeout);
  r.pacer_skipped = pacer.skipped();
  r.records = p.delivered();
  r.bytes = p.delivered_bytes();
  r.seconds = seconds_between(p.first_send_ns(), p.last_delivery_ns());
  r.errors = p.failed() + (drained ? 0 : p.sent() - p.delivered() - p.failed());
  r.first_error = p.first_error();
  if (!drained && r.first_error.empty()) {
    r.first_error = fmt::format("{} records without a delivery report after {} s",
                                p.sent() - p.delivered() - p.failed(), drain_timeout.count());
  }
  if (!sent_all) {
    ++r.errors;
  }
  if (drained) {
    r.latency = latency_summary::of(p.latency());
  }
  return r;
}

outcome<bench_report> run_consume(const bench_options& o, std::ostream& progress) {
  bench_report r;
  auto consumer = bench_consumer::open(consumer_properties(o));
  if (!consumer) {
    return failure(consumer.error());
  }
  auto& c = **consumer;
  auto partitions = partition_count(c.handle(), o.topic, admin_timeout);
  if (!partitions) {
    return failure(partitions.error());
  }
  r.partitions = *partitions;
  auto marks = query_watermarks(c.handle(), o.topic, *partitions, admin_timeout);
  if (!marks) {
    return failure(marks.error());
  }
  std::vector<int64_t> starts;
  uint64_t available = 0;
  for (const auto& m : *marks) {
    starts.push_back(m.low);
    available += static_cast<uint64_t>(m.high - m.low);
  }
  // --count: that many records from the beginning (waiting for more if the topic has
  // fewer); --duration: as many as arrive in that time; neither: the whole topic as it is.
  uint64_t target = o.count > 0        ? static_cast<uint64_t>(o.count)
                    : o.duration_s > 0 ? UINT64_MAX
                                       : available;
  if (target == 0) {
    return r;
  }
  int64_t start = monotonic_ns();
  int64_t end = o.duration_s > 0 ? start + static_cast<int64_t>(o.duration_s * 1e9) : INT64_MAX;
  if (auto a = c.assign(o.topic, starts); !a) {
    return failure(a.error());
  }
  int64_t last = start;
  uint64_t bytes = 0;
  progress_line line(progress, progress_line::stderr_is_terminal() && !o.json);
  // The whole topic: done at its end, even if fewer records than offsets came (markers of
  // transactions, aborted records a read_committed consumer skips).
  const bool whole_topic = o.count <= 0 && o.duration_s <= 0;
  while (r.records < target &&
         !(whole_topic && c.partitions_at_end() == static_cast<size_t>(*partitions))) {
    line.update(r.records, bytes);
    int64_t now = monotonic_ns();
    if (now >= end) {
      break;
    }
    if (now - last > std::chrono::nanoseconds(stall_timeout).count()) {
      r.errors += target - r.records;
      r.first_error = fmt::format("no record for {} s after {} of {} records",
                                  stall_timeout.count(), r.records, target);
      break;
    }
    // A batch may run past --count: what lies beyond is not counted.
    size_t n = c.poll(100ms, [&](const rd_kafka_message_t& m) {
      if (r.records < target) {
        ++r.records;
        bytes += m.len;
      }
    });
    if (n > 0) {
      last = monotonic_ns();
    }
  }
  line.finish();
  r.bytes = bytes;
  r.seconds = seconds_between(start, o.duration_s > 0 ? std::min(end, monotonic_ns()) : last);
  r.errors += c.errors();
  if (r.first_error.empty()) {
    r.first_error = c.first_error();
  }
  return r;
}

outcome<bench_report> run_e2e(const bench_options& o, std::ostream& progress) {
  bench_report r;
  r.linger_ms = o.linger_ms >= 0 ? o.linger_ms : 0;  // latency, not batching, by default
  auto producer = bench_producer::open(producer_properties(o, r.linger_ms));
  if (!producer) {
    return failure(producer.error());
  }
  auto& p = **producer;
  auto consumer = bench_consumer::open(consumer_properties(o));
  if (!consumer) {
    return failure(consumer.error());
  }
  auto& c = **consumer;
  auto partitions = prepare_topic(p.handle(), o, progress);
  if (!partitions) {
    return failure(partitions.error());
  }
  r.partitions = *partitions;
  if (auto t = p.select_topic(o.topic); !t) {
    return failure(t.error());
  }
  // Start every partition at its end as of now: only records sent from here on arrive.
  auto marks = query_watermarks(c.handle(), o.topic, *partitions, admin_timeout);
  if (!marks) {
    return failure(marks.error());
  }
  std::vector<int64_t> starts;
  for (const auto& m : *marks) {
    starts.push_back(m.high);
  }
  if (auto a = c.assign(o.topic, starts); !a) {
    return failure(a.error());
  }
  // Let the consumer connect and start its fetches before the first send.
  uint64_t stray = 0;
  for (int i = 0; i < 5; ++i) {
    stray += c.poll(100ms, [](const rd_kafka_message_t&) {});
  }

  uint64_t run_id = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);
  latency_histogram e2e;
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> received_bytes{0};
  std::atomic<int64_t> last_receive{0};
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      c.poll(100ms, [&](const rd_kafka_message_t& m) {
        int64_t now = monotonic_ns();
        uint64_t id = 0;
        int64_t sent = 0;
        if (m.len < e2e_header_bytes) {
          return;
        }
        std::memcpy(&id, m.payload, sizeof(id));
        std::memcpy(&sent, static_cast<const char*>(m.payload) + sizeof(id), sizeof(sent));
        if (id != run_id) {
          return;  // another writer's record
        }
        e2e.record(now - sent);
        received_bytes += m.len;
        last_receive = now;
        ++received;
      });
    }
  });

  std::string payload = make_payload(o.record_size);
  rate_pacer pacer(o.rate);
  progress_line line(progress, progress_line::stderr_is_terminal() && !o.json);
  bool sent_all = send_all(o, p, payload, true, pacer, line, [&](std::string& v) {
    int64_t now = monotonic_ns();
    std::memcpy(v.data(), &run_id, sizeof(run_id));
    std::memcpy(v.data() + sizeof(run_id), &now, sizeof(now));
  });
  bool drained = p.wait_all_delivered(drain_timeout);
  auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  while (received < p.delivered() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  stop = true;
  reader.join();

  r.pacer_skipped = pacer.skipped();
  r.records = received;
  r.bytes = received_bytes;
  r.seconds = seconds_between(p.first_send_ns(), last_receive);
  r.errors = p.failed() + c.errors() + (sent_all ? 0 : 1);
  r.first_error = p.first_error().empty() ? c.first_error() : p.first_error();
  if (!drained) {
    r.errors += p.sent() - p.delivered() - p.failed();
  }
  if (received < p.delivered()) {
    r.errors += p.delivered() - received;
    if (r.first_error.empty()) {
      r.first_error = fmt::format("{} records delivered but not consumed within {} s",
                                  p.delivered() - received, drain_timeout.count());
    }
  }
  if (stray > 0) {
    progress << fmt::format("brook bench: {} records arrived before the first send (ignored)\n",
                            stray);
  }
  r.latency = latency_summary::of(e2e);
  if (drained) {
    r.delivery_latency = latency_summary::of(p.latency());
  }
  return r;
}

}  // namespace brook::app
