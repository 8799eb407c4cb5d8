// audit_log: who logged in, who failed to and who was refused, as one JSON record each on
// a topic (audit.topic, `_brook_audit` by default) any Kafka client with READ on it can
// consume. Authentication successes and failures on the Kafka port (SASL, TLS client
// certificates) and on HTTP (Basic, Bearer), the failed-login limit when it refuses, and
// every authorization denial (a refused request; what lists merely leave out is not one).
// record() never blocks and never fails the request it describes: events are formatted
// and queued, and one thread of the log's own hands them in batches to `publish` (the event
// backend's produce). Past max_queued waiting events, new ones are dropped and counted (a
// log line says how many). Secrets never reach it: events carry user names, never
// passwords or tokens. The record format: doc/formats/audit-record.md.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace brook::security {

struct audit_event {
  std::string event;          // "authentication" or "authorization"
  std::string outcome;        // "success", "failure", "rate_limited" (authentication); "denied"
  std::string listener;       // "SASL_PLAINTEXT", "SSL", "http", "https"; empty for denials
  std::string client;         // the client's address ("127.0.0.1")
  std::string mechanism;      // "SCRAM-SHA-512", "PLAIN", "OAUTHBEARER", "SSL", "basic", "bearer"
  std::string principal;      // "User:alice": who logged in, or who was refused
  std::string user;           // the user name a failed login tried, as far as it got
  std::string reason;         // why it failed or was refused
  std::string operation;      // denials: "WRITE"
  std::string resource_type;  // denials: "TOPIC"
  std::string resource_name;  // denials: "orders"
};

class audit_log {
 public:
  // Appends the records (JSON texts, in order); `done(true)` once they are stored.
  using publish_fn =
      std::function<void(std::vector<std::string> records, std::function<void(bool)> done)>;
  audit_log(publish_fn publish, size_t max_queued = 10'000);
  ~audit_log();
  audit_log(const audit_log&) = delete;
  audit_log& operator=(const audit_log&) = delete;

  // Queues `e`, stamped with the time now. From any thread; never blocks on I/O.
  void record(const audit_event& e);
  // Hands what is queued to `publish` and waits for it, then stops the thread.
  void stop();

  struct counters {
    uint64_t recorded = 0;
    uint64_t dropped = 0;
    uint64_t published = 0;
    uint64_t failed = 0;  // records whose publish reported a failure
  };
  counters current() const;

  // One event as its JSON record.
  static std::string format(const audit_event& e, int64_t time_ms);

 private:
  void run();

  publish_fn _publish;
  const size_t _max_queued;
  mutable std::mutex _mu;
  std::condition_variable _wake;
  std::deque<std::string> _queue;
  bool _stopping = false;
  counters _counters;
  uint64_t _dropped_reported = 0;
  std::thread _thread;
};

}  // namespace brook::security
