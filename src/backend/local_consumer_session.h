// local_consumer_session: a consumer session of the local backend, a member of the
// broker's own group coordinator with no connection in between: it joins, syncs,
// heartbeats and commits by calling the coordinator, and reads the partition logs as
// fetch does (log_reader), waiting with broker::long_poll. When it leads a group it runs
// the assignor the group chose (range or roundrobin, broker/group/assignors.h) for every
// member, Kafka clients included.
//
// Threads: everything a session does runs on one single-threaded executor (the local
// backend's wait thread), so its state needs no lock; calls and the coordinator's answers
// are posted there. A timer there heartbeats (rejoining when the group rebalances),
// watches the subscribed topics' partition counts and a pattern's matches (rejoining when
// they change), and auto-commits.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "backend/consumer_session.h"
#include "broker/service/long_poll.h"
#include "protocol/kafka_error.h"
#include "protocol/topic_pattern.h"

namespace brook::broker {
class broker;
class long_poll;
namespace group {
struct join_result;
struct sync_result;
}  // namespace group
}  // namespace brook::broker

namespace brook::backend {

// Where sessions run: an executor that stops taking work once closed (the backend stops),
// so that an answer of the coordinator arriving later is dropped instead of reaching an
// executor that is gone.
class executor_gate {
 public:
  explicit executor_gate(boost::asio::any_io_executor executor) : _executor(std::move(executor)) {}

  const boost::asio::any_io_executor& executor() const { return _executor; }
  // Posts `f`; false (and `f` dropped) once closed.
  bool post(std::function<void()> f);
  void close();
  bool closed() const;

 private:
  boost::asio::any_io_executor _executor;
  mutable std::mutex _mutex;
  bool _closed = false;
};

class local_consumer_session final : public consumer_session,
                                     public std::enable_shared_from_this<local_consumer_session> {
 public:
  // How often the timer runs: heartbeats, rebalance detection, auto-commit checks.
  static constexpr std::chrono::milliseconds tick{250};
  // How often the subscribed topics are looked at for new partitions or pattern matches.
  static constexpr std::chrono::milliseconds metadata_interval{1000};
  // A refused join (another protocol type or assignor in the group, say) is tried again
  // after tick, then twice as long each time, up to this.
  static constexpr std::chrono::milliseconds longest_join_backoff{5000};

  // `gate`'s executor must be single-threaded; close the gate before its context goes.
  static std::shared_ptr<local_consumer_session> open(broker::broker& b,
                                                      std::shared_ptr<executor_gate> gate,
                                                      consumer_options options);

  void subscribe(std::vector<std::string> topics, std::optional<std::string> pattern,
                 callback<void> done) override;
  void assign(std::vector<topic_partition> partitions, callback<void> done) override;
  void unsubscribe(callback<void> done) override;
  std::vector<topic_partition> assignment() const override;
  void seek(std::vector<seek_target> targets, callback<void> done) override;
  void poll(poll_request request, callback<poll_result> done) override;
  void commit(std::optional<std::vector<offset_commit>> offsets, callback<void> done) override;
  void committed(std::vector<topic_partition> partitions,
                 callback<std::vector<committed_position>> done) override;
  void close(callback<void> done) override;

  // The backend stops: close without committing (the group store may be going); `done`
  // runs on the executor.
  void shutdown(std::function<void()> done);

  // Private: open() makes sessions.
  local_consumer_session(broker::broker& b, std::shared_ptr<executor_gate> gate,
                         consumer_options options);

 private:
  enum class mode { none, subscribed, assigned };
  struct pending_poll {
    poll_request request;
    callback<poll_result> done;
  };

  // Runs `f` on the executor with the session kept alive; false when the backend has
  // stopped (`f` is dropped).
  template <typename F>
  bool on_executor(F f);
  // Answers `done` with an error when the backend has stopped (true: answered).
  template <typename T>
  bool refuse_when_stopped(const callback<T>& done);

  // ---- group membership (subscribed mode) ----
  void start_join();
  void on_join(const broker::group::join_result& r);
  void on_sync(broker::group::sync_result r, int32_t generation);
  // A join was refused: warn (once per distinct error) and try again after a back-off.
  void join_refused(protocol::kafka_error error);
  // The group is rebalancing (or our membership ended): commit (auto commit), drop the
  // assignment, join again.
  void rejoin();
  // Leaves the group now (no commit: see commit_before_leaving).
  void leave_group();
  // With auto commit, commits the positions this session owns, then runs `then` (whatever
  // the commit's outcome).
  void commit_before_leaving(callback<void> then);
  // Whether the positions are this session's to read and commit: assigned by hand, or
  // this generation's assignment (not while a rebalance takes them away).
  bool owns_positions() const;
  // The topics this member subscribes to now (a pattern: the existing topics it matches).
  std::vector<std::string> subscribed_topics() const;
  // Partition counts of the topics that decide the assignment: ours, and when leading,
  // every member's.
  std::map<std::string, int32_t> watched_partition_counts() const;

  // ---- positions ----
  // Gives `parts` positions: kept for those assigned already when `keep_current`, else the
  // committed offset, else the reset policy.
  void set_assignment(const std::vector<topic_partition>& parts, bool keep_current);
  int64_t reset_position(const topic_partition& tp) const;
  void clear_assignment();
  void publish_assignment();
  std::vector<offset_commit> positions_to_commit() const;
  void commit_now(std::vector<offset_commit> offsets, callback<void> done);

  // ---- polls ----
  void start_next_poll();
  // One read of every assigned partition; answers when it found enough or `final`.
  bool attempt_poll(bool final);
  // What the waiting poll watches: each partition past what was read already.
  std::vector<broker::long_poll::watch> watches() const;
  // Moves positions back to the first of `records` (they were not handed out).
  void rewind(const std::vector<consumed_record>& records);
  void finish_poll(outcome<poll_result> result);
  // The waiting poll reads again now (the assignment or positions changed).
  void wake_poll();

  void on_tick();
  void schedule_tick();

  broker::broker& _broker;
  const std::shared_ptr<executor_gate> _gate;
  boost::asio::any_io_executor _executor;
  const consumer_options _options;
  // Made and destroyed on the executor (the session may outlive the executor's context,
  // held by a late answer of the coordinator).
  std::unique_ptr<boost::asio::steady_timer> _timer;

  bool _closed = false;
  mode _mode = mode::none;
  std::vector<std::string> _topics;
  std::optional<protocol::topic_pattern> _pattern;

  // Membership.
  std::string _member_id;
  int32_t _generation = -1;
  bool _joined = false;        // has this generation's assignment
  bool _in_flight = false;     // a join or sync waits for the coordinator
  bool _rejoin_after = false;  // join again once the call in flight answers
  // After a refused join: when to try again, how many refusals in a row, the last error.
  std::chrono::steady_clock::time_point _join_retry_at;
  int _join_refusals = 0;
  protocol::kafka_error _last_join_error = protocol::kafka_error::none;
  std::vector<std::string> _group_topics;  // as leader: every member's topics
  std::map<std::string, int32_t> _watched;
  std::chrono::steady_clock::time_point _next_metadata_check;

  // Positions of the assigned partitions; -1: none yet (reset none: seek first).
  std::map<topic_partition, int64_t> _positions;
  std::map<topic_partition, int64_t> _committed_positions;  // what auto commit sent last
  std::chrono::steady_clock::time_point _next_auto_commit;

  // Polls: the running one and those waiting their turn.
  std::deque<pending_poll> _polls;
  std::shared_ptr<broker::long_poll> _wait;
  bool _polling = false;
  size_t _next_partition = 0;                   // where the next poll starts reading, for fairness
  std::map<topic_partition, int64_t> _read_to;  // where the last attempt's reads ended

  mutable std::mutex _snapshot_mutex;
  std::vector<topic_partition> _snapshot;  // the assignment, for assignment()
};

template <typename F>
bool local_consumer_session::on_executor(F f) {
  auto shared = std::make_shared<F>(std::move(f));  // std::function wants a copyable callable
  return _gate->post([self = shared_from_this(), shared] { (*shared)(); });
}

}  // namespace brook::backend
