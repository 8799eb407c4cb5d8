#include "connect/file_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <system_error>

#include "base/clock.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "connect/csv_field.h"

namespace brook::connect {

namespace {

constexpr int64_t state_version = 1;

sink_error failed(std::string what, const std::error_code& ec) {
  return sink_error{fmt::format("{}: {}", what, ec.message())};
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::span<const std::byte> bytes_of(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// Whether `key` (a resolved output) can come from the `file` template, its ${topic} and
// ${partition} replaced by a topic name and a partition number.
bool fits_template(const std::string& key, const std::string& file) {
  std::string pattern;
  for (size_t i = 0; i < file.size();) {
    if (file.compare(i, 8, "${topic}") == 0) {
      pattern += "[A-Za-z0-9._-]+";
      i += 8;
    } else if (file.compare(i, 12, "${partition}") == 0) {
      pattern += "[0-9]+";
      i += 12;
    } else {
      if (std::string_view("\\^$.|?*+()[]{}").find(file[i]) != std::string_view::npos) {
        pattern.push_back('\\');
      }
      pattern.push_back(file[i++]);
    }
  }
  return std::regex_match(key, std::regex(pattern));
}

// Makes the creation of `path`'s directory entry durable, and of the directories created
// for it (`created`, outermost first).
status sync_created(const std::filesystem::path& path,
                    const std::vector<std::filesystem::path>& created) {
  for (const auto& dir : created) {
    if (auto st = sync_directory(dir.parent_path()); !st) {
      return st;
    }
  }
  return sync_directory(path.parent_path());
}

bool is_meta_column(std::string_view c) {
  return c == "$timestamp" || c == "$key" || c == "$topic" || c == "$partition" || c == "$offset";
}

}  // namespace

file_sink_options file_sink_options::from(connector_config& config,
                                          const std::filesystem::path& state_dir,
                                          const std::string& connector) {
  file_sink_options o;
  o.file = config.required("file");
  if (!o.file.empty() && std::filesystem::path(o.file).is_relative()) {
    config.add_error(
        fmt::format("Invalid value {} for configuration file: must be an absolute path", o.file));
  }
  const auto format = config.choice("format", "text", {"text", "json", "csv"});
  o.format = format == "csv"    ? output_format::csv
             : format == "json" ? output_format::json
                                : output_format::text;
  if (o.format == output_format::csv) {
    o.columns = config.list("csv.columns");
    if (o.columns.empty()) {
      config.add_error("Missing required configuration \"csv.columns\" for format csv.");
    }
    for (const auto& c : o.columns) {
      if (c.starts_with('$') && !is_meta_column(c)) {
        config.add_error(fmt::format(
            "Invalid column {} in csv.columns: $ names one of $timestamp, $key, $topic, "
            "$partition, $offset",
            c));
      }
    }
    o.header = config.list("csv.header.names");
    if (o.header.empty()) {
      for (const auto& c : o.columns) {
        o.header.push_back(c.starts_with('$') ? c.substr(1) : c);
      }
    } else if (o.header.size() != o.columns.size()) {
      config.add_error(fmt::format("csv.header.names has {} names for {} csv.columns",
                                   o.header.size(), o.columns.size()));
    }
    o.header_row = config.boolean("csv.header", true);
  }
  o.rotate_bytes =
      static_cast<uint64_t>(config.integer("rotate.size.bytes", 0, 0, int64_t{1} << 50));
  o.rotate_interval = std::chrono::milliseconds(
      config.integer("rotate.interval.ms", 0, 0, int64_t{365} * 24 * 3600 * 1000));
  o.state_file = state_dir / state_file_name(connector);
  return o;
}

file_sink::file_sink(file_sink_options options) : _options(std::move(options)) {
  if (_options.format == file_sink_options::output_format::csv && _options.header_row) {
    for (size_t i = 0; i < _options.header.size(); ++i) {
      if (i > 0) {
        _header.push_back(',');
      }
      append_csv_field(_header, _options.header[i]);
    }
    _header.push_back('\n');
  }
}

sink_result<std::unique_ptr<file_sink>> file_sink::open(file_sink_options options) {
  std::unique_ptr<file_sink> s(new file_sink(std::move(options)));
  if (auto loaded = s->load_state(); !loaded) {
    return unexpected(loaded.error());
  }
  return s;
}

sink_result<void> file_sink::load_state() {
  std::error_code ec;
  if (!std::filesystem::exists(_options.state_file, ec)) {
    return {};
  }
  auto text = simdjson::padded_string::load(_options.state_file.string());
  if (text.error() != simdjson::SUCCESS) {
    return unexpected(
        sink_error{fmt::format("cannot read the state file {}: {}", _options.state_file.string(),
                               simdjson::error_message(text.error()))});
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto bad = [this](std::string_view why) {
    return unexpected(sink_error{
        fmt::format("the state file {} is damaged ({}); remove it to start the files over",
                    _options.state_file.string(), why)});
  };
  if (parser.parse(text.value_unsafe()).get(root) != simdjson::SUCCESS) {
    return bad("not JSON");
  }
  int64_t version = 0;
  simdjson::dom::array outputs;
  simdjson::dom::array offsets;
  if (root["version"].get(version) != simdjson::SUCCESS || version != state_version ||
      root["outputs"].get(outputs) != simdjson::SUCCESS ||
      root["offsets"].get(offsets) != simdjson::SUCCESS) {
    return bad("no version 1, outputs and offsets");
  }
  for (auto o : outputs) {
    std::string_view key;
    std::string_view path;
    uint64_t seq = 0;
    uint64_t size = 0;
    if (o["key"].get(key) != simdjson::SUCCESS || o["path"].get(path) != simdjson::SUCCESS ||
        o["seq"].get(seq) != simdjson::SUCCESS || o["size"].get(size) != simdjson::SUCCESS) {
      return bad("an output without key, path, seq and size");
    }
    if (!fits_template(std::string(key), _options.file)) {
      continue;  // written under an earlier `file`: no longer the sink's, left alone
    }
    auto& out = _outputs[std::string(key)];
    out.path = std::string(path);
    out.seq = seq;
    out.durable_size = size;
    std::error_code ec;
    if (!std::filesystem::exists(out.path, ec)) {
      out.durable_size = 0;  // removed since: begun again when next written to
      continue;
    }
    if (auto opened = open_file(out, false); !opened) {
      return opened;
    }
  }
  for (auto o : offsets) {
    std::string_view topic;
    int64_t partition = 0;
    int64_t next = 0;
    if (o["topic"].get(topic) != simdjson::SUCCESS ||
        o["partition"].get(partition) != simdjson::SUCCESS ||
        o["next"].get(next) != simdjson::SUCCESS) {
      return bad("an offset without topic, partition and next");
    }
    topic_partition tp{std::string(topic), static_cast<int32_t>(partition)};
    _durable[tp] = next;
    _next[tp] = next;
  }
  return {};
}

sink_result<void> file_sink::write_state() {
  json_writer w;
  w.begin_object().key("version").value(state_version).key("outputs").begin_array();
  for (const auto& [key, o] : _outputs) {
    w.begin_object().key("key").value(key).key("path").value(o.path.string());
    w.key("seq").value(o.seq).key("size").value(o.durable_size).end_object();
  }
  w.end_array().key("offsets").begin_array();
  for (const auto& [tp, next] : _durable) {
    w.begin_object().key("topic").value(tp.topic).key("partition").value(tp.partition);
    w.key("next").value(next).end_object();
  }
  w.end_array().end_object();
  std::error_code ec;
  std::filesystem::create_directories(_options.state_file.parent_path(), ec);
  if (auto st = write_file_atomically(_options.state_file, w.str() + "\n"); !st) {
    return unexpected(
        failed("cannot write the state file " + _options.state_file.string(), st.error()));
  }
  return {};
}

std::filesystem::path file_sink::path_of(const std::string& key, uint64_t seq) const {
  if (!_options.rotates()) {
    return key;
  }
  std::filesystem::path p(key);
  return p.parent_path() /
         fmt::format("{}-{:06}{}", p.stem().string(), seq, p.extension().string());
}

sink_result<void> file_sink::open_file(output& o, bool fresh) {
  std::error_code ec;
  std::vector<std::filesystem::path> created;  // outermost first
  for (auto dir = o.path.parent_path(); !dir.empty() && !std::filesystem::exists(dir, ec);
       dir = dir.parent_path()) {
    created.insert(created.begin(), dir);
    if (dir == dir.parent_path()) {
      break;
    }
  }
  std::filesystem::create_directories(o.path.parent_path(), ec);
  if (ec) {
    return unexpected(failed("cannot create the directory " + o.path.parent_path().string(), ec));
  }
  const bool existed = std::filesystem::exists(o.path, ec);
  auto f = file::open(o.path, file::mode::create_read_write);
  if (!f) {
    return unexpected(failed("cannot open " + o.path.string(), f.error()));
  }
  if (!existed || !created.empty()) {
    // The new entries durable before the state names the file.
    if (auto st = sync_created(o.path, created); !st) {
      return unexpected(failed("cannot sync the directory of " + o.path.string(), st.error()));
    }
  }
  auto size = f->size();
  if (!size) {
    return unexpected(failed("cannot read the size of " + o.path.string(), size.error()));
  }
  if (fresh) {
    o.durable_size = *size;  // a file that is there already is appended to
  } else if (*size > o.durable_size) {
    // Written after the last durable point: written again from the records.
    if (auto st = f->truncate(o.durable_size); !st) {
      return unexpected(failed("cannot cut " + o.path.string() + " back", st.error()));
    }
    if (auto st = f->datasync(); !st) {
      return unexpected(failed("cannot sync " + o.path.string(), st.error()));
    }
    log::info("file sink: {} cut back from {} to {} bytes (written after the last commit)",
              o.path.string(), *size, o.durable_size);
  } else if (*size < o.durable_size) {
    log::warn("file sink: {} is shorter ({} bytes) than the sink wrote ({}): appending at its end",
              o.path.string(), *size, o.durable_size);
    o.durable_size = *size;
  }
  o.f = std::move(*f);
  o.size = o.durable_size;
  o.opened = std::chrono::steady_clock::now();
  if (o.size == 0 && _options.format == file_sink_options::output_format::csv &&
      _options.header_row) {
    o.pending = _header;
  }
  return {};
}

sink_result<file_sink::output*> file_sink::output_for(const std::string& key) {
  if (auto it = _outputs.find(key); it != _outputs.end()) {
    if (!it->second.f.is_open()) {  // in the state, but its file was removed
      if (auto st = open_file(it->second, true); !st) {
        return unexpected(st.error());
      }
      if (auto st = write_state(); !st) {
        return unexpected(st.error());
      }
    }
    return &it->second;
  }
  output o;
  o.seq = _options.rotates() ? 1 : 0;
  o.path = path_of(key, o.seq);
  if (auto st = open_file(o, true); !st) {
    return unexpected(st.error());
  }
  auto& added = _outputs[key] = std::move(o);
  // Entered in the state at its size now before the sink's first byte: a crash cuts it
  // back to that.
  if (auto st = write_state(); !st) {
    _outputs.erase(key);
    return unexpected(st.error());
  }
  return &added;
}

sink_result<void> file_sink::rotate(const std::string& key, output& o) {
  if (auto st = write_pending(); !st) {
    return st;
  }
  if (auto st = make_durable(); !st) {
    return st;
  }
  (void)o.f.close();
  o.seq += 1;
  o.path = path_of(key, o.seq);
  if (auto st = open_file(o, true); !st) {
    return st;
  }
  return write_state();
}

bool file_sink::format_line(const consumed_record& r, std::string& line, std::string& why) {
  line.clear();
  if (!r.value) {
    why = "the record has no value (null)";
    return false;
  }
  if (_options.format == file_sink_options::output_format::text) {
    line = *r.value;
    line.push_back('\n');
    return true;
  }
  if (!_json.load(*r.value)) {
    why = "the value is " + _json.why();
    return false;
  }
  if (_options.format == file_sink_options::output_format::json) {
    _json.append_compact(line);
    line.push_back('\n');
    return true;
  }
  if (!_json.is_object()) {
    why = "the value is not a JSON object";
    return false;
  }
  for (size_t i = 0; i < _options.columns.size(); ++i) {
    if (i > 0) {
      line.push_back(',');
    }
    const auto& c = _options.columns[i];
    std::optional<std::string> v;
    if (c == "$timestamp") {
      v = r.timestamp_ms >= 0 ? std::optional(format_iso8601(r.timestamp_ms)) : std::nullopt;
    } else if (c == "$key") {
      v = r.key;
    } else if (c == "$topic") {
      v = r.topic;
    } else if (c == "$partition") {
      v = std::to_string(r.partition);
    } else if (c == "$offset") {
      v = std::to_string(r.offset);
    } else {
      v = _json.text(c);
    }
    append_csv_field(line, v.value_or(""));
  }
  line.push_back('\n');
  return true;
}

sink_result<std::optional<int64_t>> file_sink::resume_offset(const topic_partition& tp) {
  auto it = _durable.find(tp);
  return it == _durable.end() ? std::nullopt : std::optional<int64_t>(it->second);
}

sink_result<std::vector<rejected_record>> file_sink::put(std::span<const consumed_record> records) {
  std::vector<rejected_record> rejected;
  std::string line;
  std::string why;
  const auto now = std::chrono::steady_clock::now();
  const uint64_t header = _header.size();
  // Records come in runs of one partition: its position and its output are looked up once
  // per run.
  const consumed_record* run = nullptr;
  topic_partition tp;
  int64_t* next = nullptr;  // the run's entry in _next, once there is one
  std::string key;
  output* out = nullptr;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    if (run == nullptr || r.partition != run->partition || r.topic != run->topic) {
      run = &r;
      tp = topic_partition{r.topic, r.partition};
      auto it = _next.find(tp);
      next = it == _next.end() ? nullptr : &it->second;
      key = replace_all(replace_all(_options.file, "${topic}", r.topic), "${partition}",
                        std::to_string(r.partition));
      out = nullptr;  // opened at the run's first line
    }
    if (next != nullptr && r.offset < *next) {
      continue;  // already taken (a replay)
    }
    auto taken = [&] {
      if (next == nullptr) {
        next = &_next[tp];
      }
      *next = r.offset + 1;
    };
    if (!format_line(r, line, why)) {
      rejected.push_back({i, why});
      taken();
      // Not durable as done before the worker has dealt with it (failed the task, or
      // written it to the dead-letter topic): no rotation, which flushes, until then.
      _rejections_pending = true;
      continue;
    }
    if (out == nullptr) {
      auto o = output_for(key);
      if (!o) {
        return unexpected(o.error());
      }
      out = *o;
    }
    const uint64_t filled = out->size + out->pending.size();
    if (_options.rotates() && !_rejections_pending && filled > header &&
        ((_options.rotate_bytes > 0 && filled + line.size() > _options.rotate_bytes) ||
         (_options.rotate_interval.count() > 0 && now - out->opened >= _options.rotate_interval))) {
      if (auto st = rotate(key, *out); !st) {
        return unexpected(st.error());
      }
    }
    out->pending += line;
    taken();
  }
  if (auto st = write_pending(); !st) {
    return unexpected(st.error());
  }
  return rejected;
}

sink_result<void> file_sink::write_pending() {
  for (auto& [key, o] : _outputs) {
    if (o.pending.empty()) {
      continue;
    }
    if (auto st = o.f.write_at(o.size, bytes_of(o.pending)); !st) {
      return unexpected(failed("cannot write " + o.path.string(), st.error()));
    }
    o.size += o.pending.size();
    o.pending.clear();
  }
  return {};
}

sink_result<void> file_sink::make_durable() {
  bool changed = _durable != _next;
  for (auto& [key, o] : _outputs) {
    if (o.size == o.durable_size || !o.f.is_open()) {
      continue;
    }
    if (auto st = o.f.datasync(); !st) {
      return unexpected(failed("cannot sync " + o.path.string(), st.error()));
    }
    o.durable_size = o.size;
    changed = true;
  }
  if (!changed) {
    return {};
  }
  auto before = _durable;
  _durable = _next;
  if (auto st = write_state(); !st) {
    _durable = std::move(before);
    return st;
  }
  return {};
}

sink_result<std::map<topic_partition, int64_t>> file_sink::flush() {
  _rejections_pending = false;  // the worker flushes once it dealt with them
  if (auto st = write_pending(); !st) {
    return unexpected(st.error());
  }
  if (auto st = make_durable(); !st) {
    return unexpected(st.error());
  }
  return _durable;
}

}  // namespace brook::connect
