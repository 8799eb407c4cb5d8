// Durability by killing the process: a writer child appends with durable acknowledgement
// and reports each acknowledged offset; the parent kills it with SIGKILL at a random
// moment, reopens the log and checks that every acknowledged batch is there and intact,
// that offsets are contiguous, and that appends go on. Repeated over one growing log.
// The same with an idempotent producer: the producer state rebuilt after each kill
// matches the log, and a retry of the last batch is answered with its original offsets.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "storage/flusher.h"
#include "storage/log_file_names.h"
#include "storage/partition_log.h"
#include "storage/producer_state.h"
#include "support/batches.h"
#include "support/temp_dir.h"

extern char** environ;

namespace brook::storage {
namespace {

constexpr int kills = 110;

struct producer_batch_in_log {
  int32_t sequence;
  int32_t count;
  int64_t offset;
};

struct child {
  pid_t pid = -1;
  int out = -1;
};

child spawn_writer(const std::filesystem::path& dir, long first_seq, bool producer = false,
                   const char* mode_name = "producer") {
  int fds[2];
  EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  std::string path = CRASH_WRITER_PATH;
  std::string d = dir.string();
  std::string seq = std::to_string(first_seq);
  std::string mode = mode_name;
  bool with_mode = producer || mode != "producer";
  char* argv[] = {path.data(), d.data(), seq.data(), with_mode ? mode.data() : nullptr, nullptr};
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Reads whole "<offset> <seq>" lines until `want` acknowledgements have arrived or the
// child's output ends.
void read_acks(int fd, size_t want, std::string& pending, std::map<int64_t, std::string>& acked,
               size_t& got) {
  char buf[4096];
  while (got < want) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) {
      return;
    }
    pending.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      std::istringstream line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
      int64_t offset;
      long seq;
      line >> offset >> seq;
      acked[offset] = "seq" + std::to_string(seq);
      ++got;
    }
  }
}

// Reads `want` acknowledgements into `acked`, kills the writer with SIGKILL, takes the
// acknowledgements already in the pipe too (the child said them), and reaps it: its wait
// status.
int kill_after(const child& c, size_t want, std::map<int64_t, std::string>& acked) {
  std::string pending;
  size_t got = 0;
  read_acks(c.out, want, pending, acked, got);
  ::kill(c.pid, SIGKILL);
  read_acks(c.out, SIZE_MAX, pending, acked, got);
  ::close(c.out);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
  return status;
}

TEST(CrashTest, EveryAcknowledgedBatchSurvivesSigkill) {
  test::temp_dir dir;
  auto pdir = dir / "crash-0";
  std::mt19937 rng(std::random_device{}());
  std::map<int64_t, std::string> acked;  // offset -> the tag of the batch acknowledged there
  // Reopens whose last segment was read from a recovery checkpoint on, not from its start.
  int from_checkpoint = 0;
  for (int round = 0; round < kills; ++round) {
    auto c = spawn_writer(pdir, static_cast<long>(round) * 1'000'000);
    // Kill after a random number of acknowledgements (0: possibly during its recovery).
    size_t want = std::uniform_int_distribution<size_t>(0, 25)(rng);
    int status = kill_after(c, want, acked);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "writer exited on its own in round " << round << " status " << status;

    flusher flush;
    log_config config;
    config.segment_bytes = 64 * 1024;
    open_report report;
    auto log = partition_log::open(pdir, config, flush, &report);
    ASSERT_TRUE(log) << log.error().message();
    // A writer killed before it made its first segment leaves none to report.
    if (!report.segments.empty()) {
      const auto& [last_base, last] = report.segments.back();
      auto last_size = test::file_size(names::log_file(pdir, last_base));
      from_checkpoint += !last.scanned && last.scanned_bytes < last_size ? 1 : 0;
    }
    auto batches = test::read_all_batches(**log);
    std::map<int64_t, std::string> by_offset;
    int64_t expect_next = 0;
    for (const auto& b : batches) {
      auto h = protocol::validate_batch(std::as_bytes(std::span(b)), 1 << 20);
      ASSERT_TRUE(h) << "round " << round << ": a batch read back is invalid";
      ASSERT_EQ(h->base_offset, expect_next) << "round " << round << ": offsets not contiguous";
      expect_next = h->last_offset() + 1;
      by_offset[h->base_offset] = test::first_value(b);
    }
    for (const auto& [offset, tag] : acked) {
      auto it = by_offset.find(offset);
      ASSERT_NE(it, by_offset.end())
          << "round " << round << ": acknowledged offset " << offset << " lost";
      EXPECT_EQ(it->second.substr(0, it->second.find('-')), tag)
          << "round " << round << ": offset " << offset << " holds another batch";
    }
    // Appends continue where the log ends.
    auto b = test::make_batch("parent" + std::to_string(round));
    auto r = (*log)->append_and_wait(test::bytes_of(b));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->base_offset, expect_next);
    acked[r->base_offset] = "parent" + std::to_string(round);
  }
  EXPECT_GT(acked.size(), static_cast<size_t>(kills));
  // Most rounds (79 of 110 in one run): the writer checkpoints every millisecond.
  EXPECT_GT(from_checkpoint, kills / 4);
}

// The batch crash_writer sends as producer 42 (see crash_writer_main.cc).
std::string producer_batch(int32_t sequence, int count) {
  std::vector<protocol::record> records(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    records[static_cast<size_t>(i)].key = "k";
    records[static_cast<size_t>(i)].value = "seq" + std::to_string(sequence + i);
    records[static_cast<size_t>(i)].value.resize(100 + static_cast<size_t>(sequence % 400), '.');
  }
  return protocol::build_batch(records, 1'700'000'000'000, 42, 0, sequence);
}

TEST(CrashTest, IdempotentProducerStateSurvivesSigkill) {
  constexpr int rounds = 40;
  test::temp_dir dir;
  auto pdir = dir / "crash-0";
  std::mt19937 rng(std::random_device{}());
  std::map<int64_t, std::string> acked;  // offset -> "seq<base sequence>"
  long next_sequence = 0;
  int from_snapshot = 0;  // reopens that started from a snapshot (of a roll) and read on
  for (int round = 0; round < rounds; ++round) {
    auto c = spawn_writer(pdir, next_sequence, true);
    size_t want = std::uniform_int_distribution<size_t>(0, 400)(rng);
    int status = kill_after(c, want, acked);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "writer exited on its own in round " << round << " status " << status;

    flusher flush;
    log_config config;
    config.segment_bytes = 64 * 1024;
    open_report report;
    auto log = partition_log::open(pdir, config, flush, &report);
    ASSERT_TRUE(log) << log.error().message();
    from_snapshot += report.producer_snapshot_offset > 0 ? 1 : 0;
    // The log: contiguous offsets and sequences, every acknowledged batch in place.
    std::vector<producer_batch_in_log> in_log;
    std::map<int64_t, int32_t> sequence_at;
    int64_t expect_offset = 0;
    int32_t expect_sequence = 0;
    for (const auto& b : test::read_all_batches(**log)) {
      auto h = protocol::validate_batch(std::as_bytes(std::span(b)), 1 << 20);
      ASSERT_TRUE(h) << "round " << round << ": a batch read back is invalid";
      ASSERT_EQ(h->base_offset, expect_offset) << "round " << round;
      ASSERT_EQ(h->base_sequence, expect_sequence) << "round " << round;
      expect_offset = h->last_offset() + 1;
      expect_sequence = h->base_sequence + h->last_offset_delta + 1;
      sequence_at[h->base_offset] = h->base_sequence;
      in_log.push_back({h->base_sequence, h->last_offset_delta + 1, h->base_offset});
    }
    for (const auto& [offset, tag] : acked) {
      auto it = sequence_at.find(offset);
      ASSERT_NE(it, sequence_at.end())
          << "round " << round << ": acknowledged offset " << offset << " lost";
      EXPECT_EQ("seq" + std::to_string(it->second), tag) << "round " << round;
    }
    // The producer state: the last five batches of the log, and a retry of the last one
    // (the one a producer killed with its broker would resend) is a duplicate.
    auto state = (*log)->producer(42);
    if (in_log.empty()) {
      EXPECT_FALSE(state) << "round " << round;
      continue;
    }
    ASSERT_TRUE(state) << "round " << round;
    size_t kept = std::min(in_log.size(), producer_state::batches_kept);
    ASSERT_EQ(state->batches.size(), kept) << "round " << round;
    for (size_t i = 0; i < kept; ++i) {
      const auto& want_batch = in_log[in_log.size() - kept + i];
      EXPECT_EQ(state->batches[i].first_sequence, want_batch.sequence) << "round " << round;
      EXPECT_EQ(state->batches[i].first_offset, want_batch.offset) << "round " << round;
    }
    const auto& last = in_log.back();
    auto retry = producer_batch(last.sequence, last.count);
    auto r = (*log)->append_and_wait(test::bytes_of(retry));
    ASSERT_TRUE(r) << "round " << round << ": " << r.error().message();
    EXPECT_TRUE(r->duplicate) << "round " << round;
    EXPECT_EQ(r->base_offset, last.offset) << "round " << round;
    EXPECT_EQ((*log)->log_end_offset(), expect_offset) << "round " << round;
    next_sequence = expect_sequence;
  }
  EXPECT_GT(acked.size(), static_cast<size_t>(rounds));
  EXPECT_GT(from_snapshot, rounds / 2);
}

// Log compaction under SIGKILL: the writer appends keyed records while its cleaner
// rewrites sealed segments without pause; each kill lands before, inside or after a
// segment's swap. After every reopen the log must read back whole (valid batches, offsets
// rising) and every key's last record must be at least as new as the last one
// acknowledged for it: cleaning never loses the newest value of a key.
TEST(CrashTest, CompactionSurvivesSigkill) {
  constexpr int rounds = 40;
  test::temp_dir dir;
  auto pdir = dir / "compact-0";
  std::mt19937 rng(std::random_device{}());
  std::map<std::string, long> last_acked;  // key -> newest acknowledged seq
  long next_seq = 0;
  int compacted_rounds = 0;  // reopens that found records removed by the cleaner
  for (int round = 0; round < rounds; ++round) {
    auto c = spawn_writer(pdir, next_seq, false, "compact");
    size_t want = std::uniform_int_distribution<size_t>(0, 300)(rng);
    std::map<int64_t, std::string> acked;
    int status = kill_after(c, want, acked);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "writer exited on its own in round " << round << " status " << status;
    for (const auto& [offset, tag] : acked) {
      long seq = std::stol(tag.substr(3));
      auto& last = last_acked["k" + std::to_string(seq % 37)];
      last = std::max(last, seq);
      next_seq = std::max(next_seq, seq + 1);
    }

    flusher flush;
    log_config config;
    config.segment_bytes = 64 * 1024;
    auto log = partition_log::open(pdir, config, flush);
    ASSERT_TRUE(log) << log.error().message();
    std::map<std::string, long> newest_in_log;
    int64_t previous = -1;
    size_t records = 0;
    for (const auto& b : test::read_all_batches(**log)) {
      auto bytes = std::as_bytes(std::span(b));
      auto h = protocol::validate_batch(bytes, 1 << 20, protocol::batch_origin::stored);
      ASSERT_TRUE(h) << "round " << round << ": a batch read back is invalid";
      auto rs = protocol::decode_records(bytes);
      ASSERT_TRUE(rs) << "round " << round;
      for (const auto& r : *rs) {
        int64_t offset = h->base_offset + r.offset_delta;
        ASSERT_GT(offset, previous) << "round " << round;
        previous = offset;
        long seq = std::stol(r.value.substr(3, r.value.find('.') - 3));
        ASSERT_EQ(r.key, "k" + std::to_string(seq % 37)) << "round " << round;
        auto& newest = newest_in_log[r.key];
        newest = std::max(newest, seq);
        ++records;
      }
    }
    for (const auto& [key, seq] : last_acked) {
      ASSERT_TRUE(newest_in_log.count(key)) << "round " << round << ": key " << key << " lost";
      EXPECT_GE(newest_in_log[key], seq) << "round " << round << ": key " << key;
    }
    compacted_rounds += records < static_cast<size_t>((*log)->log_end_offset()) ? 1 : 0;
    for (const auto& [key, seq] : newest_in_log) {
      next_seq = std::max(next_seq, seq + 1);  // unacknowledged records may be newer
    }
  }
  EXPECT_GT(compacted_rounds, rounds / 4);
}

}  // namespace
}  // namespace brook::storage
