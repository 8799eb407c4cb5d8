// crash_writer DIR START_SEQ: opens the log in DIR (recovering it), appends batches whose
// values carry sequence numbers from START_SEQ on with durable acknowledgement, and prints
// "<offset> <seq>\n" to stdout once each append is acknowledged. The crash test kills it.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "storage/flusher.h"
#include "storage/partition_log.h"
#include "support/batches.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_writer DIR START_SEQ\n");
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
  long seq = std::strtol(argv[2], nullptr, 10);
  for (;; ++seq) {
    auto batch = brook::test::make_batch("seq" + std::to_string(seq), 1 + static_cast<int>(seq % 7),
                                         static_cast<size_t>(50 + seq % 900));
    auto r = (*log)->append_and_wait(brook::test::bytes_of(batch));
    if (!r) {
      std::fprintf(stderr, "append: %s\n", r.error().message().c_str());
      return 1;
    }
    std::string line = std::to_string(r->base_offset) + " " + std::to_string(seq) + "\n";
    if (::write(1, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return 1;
    }
  }
}
