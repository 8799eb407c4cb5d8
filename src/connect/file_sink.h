// file_sink: records into local files, as JSON lines or CSV, each line written exactly once
// even across a SIGKILL.
//
// Where: `file` names the output, with ${topic} and ${partition} replaced per record (one
// file for everything, one per topic, or one per topic-partition). With rotation
// (rotate.size.bytes, rotate.interval.ms) each output is a series of files named
// <stem>-<seq, 6 digits><ext> (events-000001.csv, events-000002.csv, ...), the next begun
// at the first record past the size or age.
//
// What: `format` text (Kafka's FileStreamSink) writes each record's value as it is, then a
// newline; json writes the value, which must be JSON, compacted to one line; csv writes the columns
// of csv.columns, each a dotted path into the value's JSON object (user.id) or one of $timestamp
// (the record's, ISO-8601 UTC), $key, $topic, $partition, $offset, quoted as RFC 4180 says, after a
// header row (csv.header, names from csv.header.names or the columns). Values that are not JSON
// (or, for CSV, not an object) are rejected records.
//
// Exactly once: the sink's state file (doc/formats/file-sink-state.md) holds, written
// atomically after the files are fdatasync'ed, each output file's durable size and each
// partition's next offset. A new file is entered in it (at its size then: a file that is
// there already is appended to) before the sink's first byte. On start every file is cut
// back to its size there and reading resumes at those offsets, so what a crash left
// half-written is written again, once.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/file.h"
#include "connect/connector_config.h"
#include "connect/json_fields.h"
#include "connect/sink.h"

namespace brook::connect {

struct file_sink_options {
  enum class output_format { text, json, csv };

  std::string file;  // with ${topic} and ${partition}
  output_format format = output_format::text;
  std::vector<std::string> columns;  // csv
  std::vector<std::string> header;   // csv: the header row's names (one per column)
  bool header_row = true;
  uint64_t rotate_bytes = 0;                     // 0: no rotation by size
  std::chrono::milliseconds rotate_interval{0};  // 0: none by age
  std::filesystem::path state_file;

  // The options of `config` (errors recorded in it); the state file is
  // <state_dir>/connector-<connector>.file-sink.json.
  static file_sink_options from(connector_config& config, const std::filesystem::path& state_dir,
                                const std::string& connector);
  bool rotates() const { return rotate_bytes > 0 || rotate_interval.count() > 0; }
  static std::string state_file_name(const std::string& connector) {
    return "connector-" + connector + ".file-sink.json";
  }
};

class file_sink final : public sink {
 public:
  // Opens the sink: reads its state file (if any) and cuts each file back to its durable
  // size.
  static sink_result<std::unique_ptr<file_sink>> open(file_sink_options options);

  sink_result<std::optional<int64_t>> resume_offset(const topic_partition& tp) override;
  sink_result<std::vector<rejected_record>> put(std::span<const consumed_record> records) override;
  sink_result<std::map<topic_partition, int64_t>> flush() override;

 private:
  struct output {
    std::filesystem::path path;
    uint64_t seq = 0;  // the rotation's sequence number; 0 without rotation
    file f;
    uint64_t size = 0;          // bytes written
    uint64_t durable_size = 0;  // bytes fdatasync'ed and in the state file
    std::chrono::steady_clock::time_point opened;
    std::string pending;  // lines of the current put(), not yet written
  };

  explicit file_sink(file_sink_options options);

  sink_result<void> load_state();
  sink_result<void> write_state();
  // The output of `key` (a resolved `file`), opened (and entered in the state) if new.
  sink_result<output*> output_for(const std::string& key);
  sink_result<void> open_file(output& o, bool fresh);
  sink_result<void> rotate(const std::string& key, output& o);
  sink_result<void> write_pending();
  sink_result<void> make_durable();
  std::filesystem::path path_of(const std::string& key, uint64_t seq) const;
  // The line of `r` (with its newline), or why it cannot be written.
  bool format_line(const consumed_record& r, std::string& line, std::string& why);

  file_sink_options _options;
  std::string _header;                          // the CSV header row (with its newline), or empty
  std::map<std::string, output> _outputs;       // by resolved `file`
  std::map<topic_partition, int64_t> _next;     // after the records taken
  std::map<topic_partition, int64_t> _durable;  // after the records made durable
  json_fields _json;
  bool _rejections_pending = false;  // put() rejected records flush() has not yet seen
};

}  // namespace brook::connect
