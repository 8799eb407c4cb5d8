// sink: what a connector writes records into (a file, an S3 bucket, a PostgreSQL table),
// driven by its sink_worker. The worker reads a partition's records in order and hands
// them to put(); flush() makes what was put durable in the destination and answers the
// offsets that may now be committed; the worker commits those, and nothing past them.
//
// A sink that keeps its own record of what it holds (the file sink's state file, the
// offsets table of the PostgreSQL sink) answers resume_offset() from it, so a replay after
// a crash starts exactly after the last durable record and nothing is written twice. On
// any error the worker drops the sink, makes a new one (which resumes from its durable
// state) and reads again from resume_offset() or the group's committed offset.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backend/consumer_session.h"
#include "base/result.h"

namespace brook::connect {

using backend::consumed_record;
using backend::topic_partition;

// A record the sink could not convert (not JSON, no such field, ...): not written. What
// happens to it is errors.tolerance's choice (fail, skip, dead-letter topic).
struct rejected_record {
  size_t index = 0;  // into the records given to put()
  std::string reason;
};

// Destination trouble, in words for the status and the log (the worker retries).
struct sink_error {
  std::string message;
};

template <typename T>
using sink_result = expected<T, sink_error>;

class sink {
 public:
  virtual ~sink() = default;

  // Where reading `tp` resumes: the offset after the last record the destination holds
  // durably, or nullopt when it keeps no record of its own (the group's committed offset
  // then).
  virtual sink_result<std::optional<int64_t>> resume_offset(const topic_partition& tp) = 0;

  // Takes `records` (in offset order within each partition). Answers the records it could
  // not convert; the others are written or buffered.
  virtual sink_result<std::vector<rejected_record>> put(
      std::span<const consumed_record> records) = 0;

  // Makes what put() took durable, as far as the sink's policy says (a file: everything;
  // S3: the objects complete by flush.size or rotation), and answers per partition the
  // offset to commit: the next offset after the last record durable in the destination
  // (records it rejected count as done).
  virtual sink_result<std::map<topic_partition, int64_t>> flush() = 0;
};

}  // namespace brook::connect
