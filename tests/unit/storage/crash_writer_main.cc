// crash_writer DIR START_SEQ: opens the log in DIR (recovering it), appends batches whose
// values carry sequence numbers from START_SEQ on with durable acknowledgement, and prints
// "<offset> <seq>\n" to stdout once each append is acknowledged. The crash test kills it.
// Meanwhile a second thread takes a recovery checkpoint every millisecond, so kills land
// before, during and after checkpoints (and rolls racing them).
//
// crash_writer DIR START_SEQ producer: the same as idempotent producer 42, epoch 0. Each
// batch of 1 + (seq % 7) records has base sequence seq, and the next one seq + records;
// the line printed is "<offset> <base sequence>". An append the log refuses ends it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "storage/flusher.h"
#include "storage/log_cleaner.h"
#include "storage/partition_log.h"
#include "support/batches.h"

// A batch of idempotent producer 42, epoch 0 (the crash test builds the same to retry it).
std::string producer_batch(int32_t sequence, int count) {
  std::vector<brook::protocol::record> records(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    records[static_cast<size_t>(i)].key = "k";
    records[static_cast<size_t>(i)].value = "seq" + std::to_string(sequence + i);
    records[static_cast<size_t>(i)].value.resize(100 + static_cast<size_t>(sequence % 400), '.');
  }
  return brook::protocol::build_batch(records, 1'700'000'000'000, 42, 0, sequence);
}

// crash_writer DIR START_SEQ compact: keyed records, one per batch: key "k<seq % 37>",
// value "seq<seq>" padded to 200 bytes, all stamped 1'700'000'000'000; a third thread runs
// the log cleaner over the sealed segments without pause. The line printed is
// "<offset> <seq>".
std::string compact_batch(long seq) {
  std::vector<brook::protocol::record> records(1);
  records[0].key = "k" + std::to_string(seq % 37);
  records[0].value = "seq" + std::to_string(seq);
  records[0].value.resize(200, '.');
  return brook::protocol::build_batch(records, 1'700'000'000'000);
}

// "<offset> <seq>\n" on stdout, the acknowledgement the crash test reads.
bool print_ack(int64_t offset, long seq) {
  std::string line = std::to_string(offset) + " " + std::to_string(seq) + "\n";
  return ::write(1, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

int main(int argc, char** argv) {
  bool producer = argc == 4 && std::string(argv[3]) == "producer";
  bool compact = argc == 4 && std::string(argv[3]) == "compact";
  if (argc != 3 && !producer && !compact) {
    std::fprintf(stderr, "usage: crash_writer DIR START_SEQ [producer|compact]\n");
    return 2;
  }
  brook::storage::flusher flush;
  brook::storage::log_config config;
  config.segment_bytes = 64 * 1024;  // many rolls during the test
  auto log = brook::storage::partition_log::open(argv[1], config, flush);
  if (!log) {
    std::fprintf(stderr, "open: %s\n", log.error().message().c_str());
    return 1;
  }
  std::thread checkpoints([log = *log] {
    for (;;) {
      if (auto r = log->checkpoint(); !r) {
        std::fprintf(stderr, "checkpoint: %s\n", r.error().message().c_str());
        std::_Exit(1);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  checkpoints.detach();
  long seq = std::strtol(argv[2], nullptr, 10);
  if (compact) {
    std::thread cleaner([log = *log] {
      for (;;) {
        if (auto r = brook::storage::clean_log(*log, {86'400'000, 0}, 1'700'000'001'000); !r) {
          std::fprintf(stderr, "clean: %s\n", r.error().message().c_str());
          std::_Exit(1);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
    cleaner.detach();
    for (;; ++seq) {
      auto batch = compact_batch(seq);
      auto r = (*log)->append_and_wait(brook::test::bytes_of(batch));
      if (!r) {
        std::fprintf(stderr, "append: %s\n", r.error().message().c_str());
        return 1;
      }
      if (!print_ack(r->base_offset, seq)) {
        return 1;
      }
    }
  }
  if (producer) {
    for (;;) {
      int count = 1 + static_cast<int>(seq % 7);
      auto batch = producer_batch(static_cast<int32_t>(seq), count);
      auto r = (*log)->append_and_wait(brook::test::bytes_of(batch));
      if (!r || r->duplicate) {
        std::fprintf(stderr, "append: %s\n", r ? "duplicate" : r.error().message().c_str());
        return 1;
      }
      if (!print_ack(r->base_offset, seq)) {
        return 1;
      }
      seq += count;
    }
  }
  for (;; ++seq) {
    auto batch = brook::test::make_batch("seq" + std::to_string(seq), 1 + static_cast<int>(seq % 7),
                                         static_cast<size_t>(50 + seq % 900));
    auto r = (*log)->append_and_wait(brook::test::bytes_of(batch));
    if (!r) {
      std::fprintf(stderr, "append: %s\n", r.error().message().c_str());
      return 1;
    }
    if (!print_ack(r->base_offset, seq)) {
      return 1;
    }
  }
}
