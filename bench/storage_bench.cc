// storage_bench: the storage engine against the disk it runs on, in one run.
//   storage_bench DIR [--quick] [--cleaner]
// Prints a Markdown table: the raw disk baseline (sequential write + fdatasync with the
// same block size), append throughput for 100 B and 1 KiB records in 16 KiB and 1 MiB
// batches with and without durable acknowledgement, 8 writers with group commit against
// 8 writers each syncing alone, sequential read, recovery time of a 1 GiB partition
// after a clean shutdown and after a torn tail, and the restart after a crash of one 1 GiB
// partition and of 1,000 partitions, with and without a recovery checkpoint, and the log
// cleaner's speed against a sequential read of the same segments.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/crc32c.h"
#include "protocol/record_batch.h"
#include "storage/flusher.h"
#include "storage/log_cleaner.h"
#include "storage/log_file_names.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

using namespace brook;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

double read_all_ms(const fs::path& dir);

namespace {

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// A batch of records of `record_bytes` values, about `batch_bytes` long in all.
std::string make_batch(size_t record_bytes, size_t batch_bytes, int* records_out) {
  std::vector<protocol::record> records;
  size_t per_record = record_bytes + 12;
  int n = static_cast<int>(std::max<size_t>(1, (batch_bytes - 61) / per_record));
  for (int i = 0; i < n; ++i) {
    protocol::record r;
    r.key = fmt::format("{:08d}", i);
    r.value.assign(record_bytes - std::min<size_t>(record_bytes, r.key.size()), 'v');
    for (size_t j = 0; j < r.value.size(); j += 7) {
      r.value[j] = static_cast<char>('a' + (i + j) % 26);
    }
    records.push_back(std::move(r));
  }
  *records_out = n;
  return protocol::build_batch(records, 1'700'000'000'000);
}

std::span<std::byte> bytes(std::string& s) {
  return {reinterpret_cast<std::byte*>(s.data()), s.size()};
}

// Sequential write of `total` bytes in `block`-sized writes, fdatasync after each: MB/s.
double disk_baseline(const fs::path& dir, size_t block, size_t total) {
  auto path = dir / "baseline.bin";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  std::string buf(block, 'x');
  auto t = clock_type::now();
  for (size_t done = 0; done < total; done += block) {
    if (::write(fd, buf.data(), block) != static_cast<ssize_t>(block)) {
      std::perror("baseline write");
      std::exit(1);
    }
    ::fdatasync(fd);
  }
  double s = seconds_since(t);
  ::close(fd);
  fs::remove(path);
  return total / s / 1e6;
}

struct append_figures {
  double mb_s;
  double records_s;
};

append_figures append_bench(const fs::path& dir, size_t record_bytes, size_t batch_bytes,
                            size_t total, storage::durability mode) {
  fs::remove_all(dir);
  storage::flusher flush;
  storage::log_config c;
  c.durability = mode;
  c.flush_interval = std::chrono::milliseconds(1000);
  c.max_message_bytes = 2 * 1024 * 1024;
  auto log = *storage::partition_log::open(dir, c, flush);
  int per_batch = 0;
  auto batch = make_batch(record_bytes, batch_bytes, &per_batch);
  size_t n = std::max<size_t>(1, total / batch.size());
  auto t = clock_type::now();
  for (size_t i = 0; i < n; ++i) {
    if (!log->append_and_wait(bytes(batch))) {
      std::fprintf(stderr, "append failed\n");
      std::exit(1);
    }
  }
  double s = seconds_since(t);
  (void)log->close();
  fs::remove_all(dir);
  return {n * batch.size() / s / 1e6, n * per_batch / s};
}

// `writers` threads append 16 KiB batches, each to its own partition (or all to one).
// grouped: durable mode, the flusher groups the fdatasyncs. alone: each writer
// fdatasyncs its own partition after each append.
double writers_bench(const fs::path& dir, int writers, bool grouped, bool one_partition,
                     double seconds, uint64_t* flushes) {
  fs::remove_all(dir);
  storage::flusher flush;
  storage::log_config c;
  c.durability = grouped ? storage::durability::sync : storage::durability::interval;
  c.flush_interval = std::chrono::hours(1);
  std::vector<std::shared_ptr<storage::partition_log>> logs;
  for (int w = 0; w < (one_partition ? 1 : writers); ++w) {
    logs.push_back(*storage::partition_log::open(dir / fmt::format("w-{}", w), c, flush));
  }
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      int per = 0;
      auto batch = make_batch(1024, 16 * 1024, &per);
      auto& log = logs[one_partition ? 0 : w];
      while (!stop) {
        if (!log->append_and_wait(bytes(batch))) {
          std::exit(1);
        }
        if (!grouped) {
          (void)log->flush();
        }
        appended += batch.size();
      }
    });
  }
  auto t = clock_type::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // a timed run, not a sync
  stop = true;
  for (auto& th : threads) {
    th.join();
  }
  double s = seconds_since(t);
  *flushes = flush.flushes();
  for (auto& l : logs) {
    (void)l->close();
  }
  fs::remove_all(dir);
  return appended / s / 1e6;
}

// The log cleaner: a partition of `total` bytes of 100 B records in 16 KiB batches over
// 64 MiB segments, each key written `versions` times (keys spread evenly, so most
// records are superseded), cleaned once; then cleaned again with nothing left to remove
// (read-only passes). Beside: the same-run sequential read of the same segments from the
// page cache (read_all_ms), which a clean must do twice (its two passes).

void cleaner_rows(const fs::path& root, size_t total, int versions) {
  auto pdir = root / "compact-0";
  fs::remove_all(pdir);
  storage::log_config c;
  c.durability = storage::durability::interval;
  c.segment_bytes = 64u << 20;
  c.cleanup_compact = true;
  const int64_t t0 = 1'700'000'000'000;
  {
    storage::flusher flush;
    auto log = *storage::partition_log::open(pdir, c, flush);
    size_t per_batch = (16 * 1024 - 61) / 112;
    auto records_total = total / 112;
    auto keys = std::max<size_t>(1, records_total / static_cast<size_t>(versions));
    std::vector<protocol::record> records(per_batch);
    size_t next = 0;
    for (size_t done = 0; done < total;) {
      for (auto& r : records) {
        r.key = fmt::format("key-{:010d}", next++ % keys);
        r.value.assign(84, static_cast<char>('a' + next % 26));
      }
      auto b = protocol::build_batch(records, t0);
      (void)log->append_and_wait(bytes(b));
      done += b.size();
    }
    (void)log->close();
  }
  storage::flusher flush;
  auto log = *storage::partition_log::open(pdir, c, flush);
  read_all_ms(pdir);  // warm the page cache
  double read_ms = read_all_ms(pdir);
  double read_mb_s = static_cast<double>(log->size_bytes()) / 1e6 / (read_ms / 1000);
  storage::cleaning_rules rules;
  for (int pass = 0; pass < 2; ++pass) {
    auto t = clock_type::now();
    auto r = storage::clean_log(*log, rules, t0 + 1000);
    double s = seconds_since(t);
    if (!r) {
      fmt::print("| log cleaner | failed: {} | | |\n", r.error().message());
      return;
    }
    double mb_s = static_cast<double>(r->bytes_read) / 1e6 / s;
    fmt::print(
        "| log cleaner, 100 B records, each key {} times: {} | {:.0f} MB/s ({} MiB read, {} -> "
        "{} MiB rewritten, {:.2f} s) | {:.0f} MB/s sequential read | {:.3f} |\n",
        versions, pass == 0 ? "first clean" : "cleaned again, nothing to remove", mb_s,
        r->bytes_read >> 20, r->bytes_before >> 20, r->bytes_after >> 20, s, read_mb_s,
        mb_s / read_mb_s);
  }
  (void)log->close();
  fs::remove_all(pdir);
}

}  // namespace

// Reads every file under `dir` with 1 MiB preads (the page cache holds them): the time
// recovery would take if it only had to read the bytes once, in ms.
double read_all_ms(const fs::path& dir) {
  std::vector<char> buf(1 << 20);
  auto t = clock_type::now();
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().extension() != ".log") {
      continue;
    }
    int fd = ::open(e.path().c_str(), O_RDONLY);
    while (::read(fd, buf.data(), buf.size()) > 0) {
    }
    ::close(fd);
  }
  return seconds_since(t) * 1000;
}

// Fills `partitions` partitions under `root` with `bytes_each` bytes of 100 B records in
// 16 KiB batches (one segment each), takes a recovery checkpoint of each `tail` bytes
// before its end when `checkpoint`, and leaves them as a crash would: never closed, no
// clean-shutdown marker.
void crashed_partitions(const fs::path& root, int partitions, size_t bytes_each, bool checkpoint,
                        size_t tail) {
  fs::remove_all(root);
  storage::flusher flush;
  storage::log_config c;
  c.durability = storage::durability::interval;
  int per = 0;
  auto batch = make_batch(100, 16 * 1024, &per);
  std::vector<std::shared_ptr<storage::partition_log>> logs;
  for (int p = 0; p < partitions; ++p) {
    auto log = *storage::partition_log::open(root / fmt::format("events-{}", p), c, flush);
    size_t written = 0;
    bool taken = false;
    while (written + batch.size() <= bytes_each) {
      if (checkpoint && !taken && written + tail >= bytes_each) {
        (void)log->checkpoint();
        taken = true;
      }
      (void)log->append_and_wait(bytes(batch));
      written += batch.size();
    }
    (void)log->flush();
    logs.push_back(std::move(log));  // dropped unclosed below
  }
}

// log_manager::open_all of `root` with `threads` recovery threads: ms, and the bytes it
// read and checked.
std::pair<double, uint64_t> open_all_ms(const fs::path& root, unsigned threads) {
  storage::log_manager m({root, {}, threads});
  auto t = clock_type::now();
  auto summary = m.open_all();
  double ms = seconds_since(t) * 1000;
  if (!summary) {
    std::fprintf(stderr, "open_all: %s\n", summary.error().message().c_str());
    std::exit(1);
  }
  return {ms, summary->bytes_scanned};
}

// Restart after a crash: one partition with a 1 GiB active segment, and 1,000 partitions
// of 1 MiB, without a recovery checkpoint (what every crash cost before them) and with
// one taken 4 MiB (64 KiB) before the end, recovered by 1 thread and in parallel.
void crash_recovery_rows(const fs::path& root, size_t one_bytes, int many) {
  auto dir = root / "crashed";
  unsigned parallel = storage::log_manager::default_recovery_threads();
  struct scenario {
    int partitions;
    size_t bytes_each;
    size_t tail;
  };
  for (auto sc : {scenario{1, one_bytes, 4u << 20}, scenario{many, 1u << 20, 64u << 10}}) {
    for (bool checkpoint : {false, true}) {
      for (unsigned threads : {1u, parallel}) {
        if (sc.partitions == 1 && threads > 1) {
          continue;  // one partition: one thread either way
        }
        crashed_partitions(dir, sc.partitions, sc.bytes_each, checkpoint, sc.tail);
        double baseline = read_all_ms(dir);  // also warms the page cache
        auto [ms, checked] = open_all_ms(dir, threads);
        fmt::print(
            "| restart after a crash: {} x {} MiB of 100 B records in 16 KiB batches, {}, {} "
            "thread{} | {:.1f} ms ({:.1f} MiB checked) | {:.1f} ms to read the {} MiB once | "
            "{:.2f} |\n",
            sc.partitions, sc.bytes_each >> 20,
            checkpoint ? fmt::format("checkpoint {} KiB before the end", sc.tail >> 10)
                       : "no checkpoint",
            threads, threads > 1 ? "s" : (checkpoint ? "" : " (= before)"), ms,
            static_cast<double>(checked) / (1 << 20), baseline,
            (sc.bytes_each * static_cast<size_t>(sc.partitions)) >> 20, ms / baseline);
      }
    }
  }
  fs::remove_all(dir);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: storage_bench DIR [--quick] [--cleaner]\n");
    return 2;
  }
  fs::path root = argv[1];
  bool quick = false;
  bool cleaner_only = false;  // --cleaner: only the log cleaner's rows
  for (int i = 2; i < argc; ++i) {
    quick |= std::strcmp(argv[i], "--quick") == 0;
    cleaner_only |= std::strcmp(argv[i], "--cleaner") == 0;
  }
  fs::create_directories(root);
  size_t big = quick ? (64u << 20) : (512u << 20);
  size_t small = quick ? (8u << 20) : (32u << 20);
  size_t recovery_bytes = quick ? (128u << 20) : (1024u << 20);

  fmt::print("crc32c: {}\n\n", crc32c::hardware_accelerated() ? "sse4.2" : "portable");
  fmt::print("| measurement | figure | baseline (same run) | ratio |\n|---|---|---|---|\n");
  if (cleaner_only) {
    cleaner_rows(root, quick ? (128u << 20) : (512u << 20), 10);
    return 0;
  }

  double base16 = disk_baseline(root, 16 * 1024, small);
  double base1m = disk_baseline(root, 1024 * 1024, big);
  fmt::print("| disk: write+fdatasync, 16 KiB blocks | {:.1f} MB/s | | |\n", base16);
  fmt::print("| disk: write+fdatasync, 1 MiB blocks | {:.1f} MB/s | | |\n", base1m);

  for (size_t batch : {size_t{16 * 1024}, size_t{1024 * 1024}}) {
    for (size_t record : {size_t{100}, size_t{1024}}) {
      for (auto mode : {storage::durability::sync, storage::durability::interval}) {
        bool durable = mode == storage::durability::sync;
        size_t total = durable && batch < (1u << 20) ? small : big;
        // The disk's speed drifts on a shared machine: measure the baseline again right
        // before each row, with the same block size and volume.
        double baseline = disk_baseline(root, batch, total);
        auto f = append_bench(root / "append-0", record, batch, total, mode);
        fmt::print(
            "| append {} B records, {} batches, {} | {:.1f} MB/s, {:.0f} records/s | {:.1f} MB/s | "
            "{:.2f} |\n",
            record, batch < (1u << 20) ? "16 KiB" : "1 MiB",
            durable ? "durable (fdatasync)" : "interval flush", f.mb_s, f.records_s, baseline,
            f.mb_s / baseline);
      }
    }
  }

  double secs = quick ? 2.0 : 5.0;
  uint64_t fl_grouped = 0;
  uint64_t fl_alone = 0;
  uint64_t fl_one = 0;
  base16 = disk_baseline(root, 16 * 1024, small);
  double grouped = writers_bench(root / "writers", 8, true, false, secs, &fl_grouped);
  double alone = writers_bench(root / "writers", 8, false, false, secs, &fl_alone);
  double one = writers_bench(root / "writers", 8, true, true, secs, &fl_one);
  fmt::print(
      "| 8 writers, 8 partitions, 16 KiB batches, each syncing alone | {:.1f} MB/s | {:.1f} MB/s | "
      "{:.2f} |\n",
      alone, base16, alone / base16);
  fmt::print(
      "| 8 writers, 8 partitions, 16 KiB batches, group commit | {:.1f} MB/s ({} log flushes) | "
      "{:.1f} MB/s alone | {:.2f}x alone |\n",
      grouped, fl_grouped, alone, grouped / alone);
  fmt::print(
      "| 8 writers, 1 partition, 16 KiB batches, group commit | {:.1f} MB/s ({} log flushes) | "
      "{:.1f} MB/s alone | {:.2f}x alone |\n",
      one, fl_one, alone, one / alone);

  // A partition of `recovery_bytes` in 1 MiB batches, one segment (Kafka's 1 GiB default).
  auto pdir = root / "recover-0";
  fs::remove_all(pdir);
  {
    storage::flusher flush;
    storage::log_config c;
    c.durability = storage::durability::interval;
    c.max_message_bytes = 2 * 1024 * 1024;
    auto log = *storage::partition_log::open(pdir, c, flush);
    int per = 0;
    auto batch = make_batch(1024, 1024 * 1024, &per);
    for (size_t done = 0; done + batch.size() <= recovery_bytes - 4096; done += batch.size()) {
      (void)log->append_and_wait(bytes(batch));
    }
    (void)log->close();
  }
  {
    storage::flusher flush;
    storage::log_config c;
    c.max_message_bytes = 2 * 1024 * 1024;
    auto log = *storage::partition_log::open(pdir, c, flush);
    uint64_t total = log->size_bytes();
    std::vector<char> buf(1 << 20);
    // Warm the page cache once, then measure.
    for (int pass = 0; pass < 2; ++pass) {
      auto t = clock_type::now();
      int64_t offset = log->log_start_offset();
      uint64_t read_bytes = 0;
      while (offset < log->high_watermark()) {
        auto r = log->read(offset, 1 << 20);
        if (!r || r->length == 0) {
          break;
        }
        for (uint64_t at = 0; at < r->length; at += buf.size()) {
          auto len = std::min<uint64_t>(buf.size(), r->length - at);
          if (::pread(r->fd, buf.data(), len, static_cast<off_t>(r->position + at)) !=
              static_cast<ssize_t>(len)) {
            std::exit(1);
          }
        }
        read_bytes += r->length;
        // The next offset follows the range's last batch: walk the headers to it.
        std::array<char, protocol::batch_layout::header_size> last{};
        uint64_t pos = r->position;
        int64_t next = offset;
        while (pos < r->position + r->length) {
          ::pread(r->fd, last.data(), last.size(), static_cast<off_t>(pos));
          auto lh = protocol::batch_header::decode(std::as_bytes(std::span(last)));
          next = lh.last_offset() + 1;
          pos += lh.total_size();
        }
        offset = next;
      }
      double s = seconds_since(t);
      if (pass == 1) {
        fmt::print("| sequential read, 1 MiB reads, page cache, {} MiB | {:.2f} GB/s | | |\n",
                   total >> 20, read_bytes / s / 1e9);
      }
    }
    (void)log->close();
  }
  for (bool torn : {false, true}) {
    if (torn) {
      auto seg = storage::names::log_file(pdir, 0);
      int fd = ::open(seg.c_str(), O_WRONLY | O_APPEND);
      std::string half(3000, '\x11');
      half[8] = 0;  // a length that runs past the end: a write cut short
      ::write(fd, half.data(), half.size());
      ::close(fd);
      fs::remove(pdir / storage::names::clean_shutdown_file);
    }
    storage::flusher flush;
    storage::log_config c;
    c.max_message_bytes = 2 * 1024 * 1024;
    auto t = clock_type::now();
    storage::open_report report;
    auto log = storage::partition_log::open(pdir, c, flush, &report);
    double ms = seconds_since(t) * 1000;
    fmt::print("| recovery of a {} MiB partition after {} | {:.1f} ms | target {} | |\n",
               (*log)->size_bytes() >> 20,
               torn ? "a crash with a torn tail (indexes of the last close)" : "a clean shutdown",
               ms, torn ? "< 1000 ms" : "< 100 ms");
    (void)(*log)->close();
  }
  fs::remove_all(pdir);
  crash_recovery_rows(root, recovery_bytes, quick ? 100 : 1000);
  cleaner_rows(root, quick ? (128u << 20) : (512u << 20), 10);
  return 0;
}
