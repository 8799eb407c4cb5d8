#include "connect/s3_sink.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>

#include "protocol/compression.h"

namespace brook::connect {

namespace {

constexpr int64_t min_part_size = int64_t{5} << 20;  // S3's smallest part but the last
constexpr int64_t max_part_size = int64_t{5} << 30;

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

bool names_class(const std::string& value, std::string_view simple) {
  return value == simple || value.ends_with("." + std::string(simple));
}

}  // namespace

std::string format_s3_path(const std::string& format, int64_t ms) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(ms)};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> time{t - day};
  std::string out;
  for (size_t i = 0; i < format.size();) {
    const char c = format[i];
    if (c == '\'') {
      auto end = format.find('\'', i + 1);
      if (end == std::string::npos) {
        end = format.size();
      }
      out += format.substr(i + 1, end - i - 1);
      i = end + 1;
      continue;
    }
    size_t run = 1;
    while (i + run < format.size() && format[i + run] == c) {
      ++run;
    }
    switch (c) {
      case 'Y':
      case 'y':
        out += fmt::format("{:04d}", static_cast<int>(ymd.year()));
        break;
      case 'M':
        out += fmt::format("{:02d}", static_cast<unsigned>(ymd.month()));
        break;
      case 'd':
        out += fmt::format("{:02d}", static_cast<unsigned>(ymd.day()));
        break;
      case 'H':
        out += fmt::format("{:02d}", time.hours().count());
        break;
      case 'm':
        out += fmt::format("{:02d}", time.minutes().count());
        break;
      case 's':
        out += fmt::format("{:02d}", time.seconds().count());
        break;
      default:
        out.append(run, c);
    }
    i += run;
  }
  return out;
}

s3_sink_options s3_sink_options::from(connector_config& config) {
  s3_sink_options o;
  o.s3.bucket = config.required("s3.bucket.name");
  o.s3.region = config.string("s3.region", "us-east-1");
  o.s3.endpoint = config.string("store.url");
  if (!o.s3.endpoint.empty() && !o.s3.endpoint.starts_with("http://") &&
      !o.s3.endpoint.starts_with("https://")) {
    config.add_error(fmt::format(
        "Invalid value {} for configuration store.url: must be an http:// or https:// URL",
        o.s3.endpoint));
  }
  o.s3.path_style = config.boolean("s3.path.style.access.enabled", !o.s3.endpoint.empty());
  o.s3.part_size = static_cast<size_t>(
      config.integer("s3.part.size", int64_t{25} << 20, min_part_size, max_part_size));
  o.topics_dir = config.string("topics.dir", "topics");
  while (o.topics_dir.ends_with('/')) {
    o.topics_dir.pop_back();
  }
  o.flush_size = config.integer("flush.size", 0, 1, int64_t{1} << 40);
  if (!config.get("flush.size")) {
    config.add_error("Missing required configuration \"flush.size\" which has no default value.");
  }
  o.rotate_interval_ms = config.integer("rotate.interval.ms", -1, -1, int64_t{1} << 50);
  const auto format =
      config.string("format.class", "io.confluent.connect.s3.format.json.JsonFormat");
  if (names_class(format, "ByteArrayFormat")) {
    o.bytes = true;
  } else if (!names_class(format, "JsonFormat")) {
    config.add_error(fmt::format(
        "Invalid value {} for configuration format.class: JsonFormat or ByteArrayFormat", format));
  }
  o.gzip = config.choice("s3.compression.type", "none", {"none", "gzip"}) == "gzip";
  if (o.gzip && o.bytes) {
    config.add_error("s3.compression.type gzip is for JsonFormat only");
  }
  if (auto sep = config.get("format.bytearray.separator")) {
    o.separator = *sep;
  }
  const auto partitioner = config.string(
      "partitioner.class", "io.confluent.connect.storage.partitioner.DefaultPartitioner");
  if (names_class(partitioner, "TimeBasedPartitioner")) {
    o.time_based = true;
    o.path_format = config.required("path.format");
    o.partition_duration_ms = config.integer("partition.duration.ms", 0, 1, int64_t{1} << 50);
    if (!config.get("partition.duration.ms")) {
      config.add_error(
          "Missing required configuration \"partition.duration.ms\" for "
          "TimeBasedPartitioner.");
    }
    const auto zone = config.string("timezone", "UTC");
    if (zone != "UTC") {
      config.add_error(fmt::format("Invalid value {} for configuration timezone: only UTC", zone));
    }
  } else if (!names_class(partitioner, "DefaultPartitioner")) {
    config.add_error(
        fmt::format("Invalid value {} for configuration partitioner.class: DefaultPartitioner or "
                    "TimeBasedPartitioner",
                    partitioner));
  }
  o.s3.credentials.access_key_id = config.string("aws.access.key.id");
  o.s3.credentials.secret_access_key = config.string("aws.secret.access.key");
  if (o.s3.credentials.access_key_id.empty()) {
    o.s3.credentials.access_key_id = env_or_empty("AWS_ACCESS_KEY_ID");
    o.s3.credentials.secret_access_key = env_or_empty("AWS_SECRET_ACCESS_KEY");
    o.s3.credentials.session_token = env_or_empty("AWS_SESSION_TOKEN");
  }
  if (o.s3.credentials.access_key_id.empty() || o.s3.credentials.secret_access_key.empty()) {
    config.add_error(
        "No S3 credentials: set aws.access.key.id and aws.secret.access.key, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in brook serve's environment");
  }
  return o;
}

sink_result<std::unique_ptr<s3_sink>> s3_sink::open(s3_sink_options options) {
  std::unique_ptr<s3_sink> s(new s3_sink(std::move(options)));
  if (auto st = s->_client.check_bucket(); !st) {
    return unexpected(st.error());
  }
  return s;
}

std::string s3_sink::key_of(const topic_partition& tp, const std::string& encoded,
                            int64_t offset) const {
  const char* ext = _options.bytes ? ".bin" : _options.gzip ? ".json.gz" : ".json";
  return fmt::format("{}/{}/{}/{}+{}+{:010d}{}", _options.topics_dir, tp.topic, encoded, tp.topic,
                     tp.partition, offset, ext);
}

std::string s3_sink::encoded_partition(const consumed_record& r) const {
  if (!_options.time_based) {
    return fmt::format("partition={}", r.partition);
  }
  const int64_t ts = std::max<int64_t>(0, r.timestamp_ms);
  return format_s3_path(_options.path_format, ts - ts % _options.partition_duration_ms);
}

sink_result<std::optional<int64_t>> s3_sink::resume_offset(const topic_partition& /*tp*/) {
  // The group's committed offset: the first record of an unwritten object.
  return std::optional<int64_t>{};
}

sink_result<void> s3_sink::write_object(const topic_partition& tp, pending_object& o) {
  const std::string key = key_of(tp, o.encoded, o.start_offset);
  if (_options.gzip) {
    auto packed = protocol::compress(protocol::compression::gzip, std::as_bytes(std::span(o.body)));
    if (!packed) {
      return unexpected(sink_error{"cannot gzip " + key + ": " + packed.error().message()});
    }
    std::string_view bytes(reinterpret_cast<const char*>(packed->data()), packed->size());
    if (auto st = _client.put_object(key, bytes, "application/gzip"); !st) {
      return st;
    }
  } else if (auto st = _client.put_object(
                 key, o.body, _options.bytes ? "application/octet-stream" : "application/json");
             !st) {
    return st;
  }
  o = pending_object{};
  return {};
}

sink_result<std::vector<rejected_record>> s3_sink::put(std::span<const consumed_record> records) {
  std::vector<rejected_record> rejected;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    topic_partition tp{r.topic, r.partition};
    if (auto it = _next.find(tp); it != _next.end() && r.offset < it->second) {
      continue;  // already taken (a replay)
    }
    std::string line;
    if (!r.value) {
      rejected.push_back({i, "the record has no value (null)"});
      _next[tp] = r.offset + 1;
      continue;
    }
    if (_options.bytes) {
      line = *r.value + _options.separator;
    } else if (_json.load(*r.value)) {
      line.clear();
      _json.append_compact(line);
      line.push_back('\n');
    } else {
      rejected.push_back({i, "the value is " + _json.why()});
      _next[tp] = r.offset + 1;
      continue;
    }
    auto& o = _pending[tp];
    const std::string encoded = encoded_partition(r);
    if (o.records > 0 && (o.encoded != encoded ||
                          (_options.rotate_interval_ms >= 0 &&
                           r.timestamp_ms - o.start_timestamp >= _options.rotate_interval_ms))) {
      if (auto st = write_object(tp, o); !st) {
        return unexpected(st.error());
      }
    }
    if (o.records == 0) {
      o.encoded = encoded;
      o.start_offset = r.offset;
      o.start_timestamp = r.timestamp_ms;
    }
    o.body += line;
    o.records += 1;
    _next[tp] = r.offset + 1;
    if (o.records >= _options.flush_size) {
      if (auto st = write_object(tp, o); !st) {
        return unexpected(st.error());
      }
    }
  }
  return rejected;
}

sink_result<std::map<topic_partition, int64_t>> s3_sink::flush() {
  std::map<topic_partition, int64_t> out;
  for (const auto& [tp, next] : _next) {
    auto it = _pending.find(tp);
    out[tp] = it != _pending.end() && it->second.records > 0 ? it->second.start_offset : next;
  }
  return out;
}

}  // namespace brook::connect
