#include "app/cli/consume_command.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <charconv>
#include <csignal>
#include <ostream>
#include <set>

#include "app/cli/bench_kafka.h"
#include "app/cli/group_command.h"
#include "app/cli/record_format.h"

namespace brook::app {

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
  interrupted.store(true);
}

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;

bool parse_offset(const std::string& text, int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// Where to start: librdkafka's logical offsets for beginning/end, or the number.
int64_t start_offset(const consume_options& o) {
  if (o.offset == "beginning") {
    return RD_KAFKA_OFFSET_BEGINNING;
  }
  int64_t n = 0;
  if (!o.offset.empty() && o.offset != "end" && parse_offset(o.offset, n)) {
    return n;
  }
  return RD_KAFKA_OFFSET_END;
}

shown_record view_of(const rd_kafka_message_t* m) {
  shown_record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  rd_kafka_timestamp_type_t type{};
  r.timestamp = rd_kafka_message_timestamp(m, &type);
  if (m->key != nullptr) {
    r.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
  }
  if (m->payload != nullptr) {
    r.value = std::string_view(static_cast<const char*>(m->payload), m->len);
  }
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0;
         rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      r.headers.emplace_back(name, value == nullptr
                                       ? std::string_view()
                                       : std::string_view(static_cast<const char*>(value), size));
    }
  }
  return r;
}

}  // namespace

CLI::App* add_consume_command(CLI::App& app, consume_options& o) {
  auto* sub = app.add_subcommand("consume", "Print a topic's records");
  sub->add_option("topic", o.topic, "Topic")->type_name("TOPIC")->required();
  add_client_options(sub, o.client);
  sub->add_option("-g,--group", o.group,
                  "Consume in this consumer group (from its committed offsets; commits what "
                  "it printed)")
      ->type_name("GROUP");
  sub->add_option("-o,--offset", o.offset,
                  "Where to start: beginning, end (the default) or an offset; in a group, "
                  "where a partition without a committed offset starts (beginning or end)")
      ->type_name("WHERE");
  sub->add_option("--from-time", o.from_time,
                  "Start at the first record at or after this time: ISO-8601 "
                  "(2024-05-01T12:00:00Z) or epoch milliseconds")
      ->type_name("TIME");
  sub->add_option("-p,--partition", o.partitions, "Only this partition; repeatable")
      ->type_name("N");
  sub->add_option("-c,--count", o.count, "Exit after this many records")->type_name("N");
  sub->add_flag("-e,--exit", o.exit_at_end, "Exit at the end of every partition");
  sub->add_option("-f,--format", o.format,
                  "Each record as FMT: %t topic, %p partition, %o offset, %T timestamp, %k "
                  "key, %s value, %K/%S their lengths, %h headers, \\n \\t (default %s\\n)")
      ->type_name("FMT");
  sub->add_flag("--json", o.json, "Each record as one JSON line");
  sub->add_option("--timeout-ms", o.timeout_ms, "Metadata and offset lookups")
      ->capture_default_str();
  return sub;
}

done validate_consume_options(const consume_options& o) {
  if (auto valid = validate_client_options(o.client, o.topic); !valid) {
    return valid;
  }
  int64_t n = 0;
  if (!o.offset.empty() && o.offset != "beginning" && o.offset != "end" &&
      !parse_offset(o.offset, n)) {
    return failure(
        fmt::format("--offset: '{}' is not beginning, end or an offset (0 or more)", o.offset));
  }
  if (!o.group.empty() && !o.offset.empty() && o.offset != "beginning" && o.offset != "end") {
    return failure(
        "--offset: in a group only beginning or end (where a partition without a "
        "committed offset starts)");
  }
  if (!o.from_time.empty()) {
    if (!parse_datetime_ms(o.from_time)) {
      return failure(fmt::format(
          "--from-time: '{}' is neither ISO-8601 (2024-05-01T12:00:00Z) nor epoch milliseconds",
          o.from_time));
    }
    if (!o.offset.empty()) {
      return failure("give --offset or --from-time, not both");
    }
    if (!o.group.empty()) {
      return failure("--from-time needs no group (reset a group with brook group reset-offsets)");
    }
  }
  if (!o.group.empty() && !o.partitions.empty()) {
    return failure("--partition needs no group (a group's partitions are assigned to it)");
  }
  for (int32_t p : o.partitions) {
    if (p < 0) {
      return failure(fmt::format("--partition: {} is not a partition", p));
    }
  }
  if (o.count < 0) {
    return failure(fmt::format("--count: {} is negative", o.count));
  }
  if (!o.json) {
    if (auto f = record_format::parse(o.format); !f) {
      return failure(f.error());
    }
  }
  return {};
}

int run_consume_command(const consume_options& o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_consume_options(o); !valid) {
    err << "brook consume: " << valid.error() << "\n";
    return 2;
  }
  const auto format = o.json ? record_format() : *record_format::parse(o.format);
  auto props = client_properties(o.client);
  props.emplace_back("enable.partition.eof", "true");
  if (o.group.empty()) {
    props.emplace_back("group.id", "brook-consume");  // librdkafka asks for one; never used
    props.emplace_back("enable.auto.commit", "false");
    props.emplace_back("enable.auto.offset.store", "false");
  } else {
    props.emplace_back("group.id", o.group);
    props.emplace_back("auto.offset.reset", o.offset == "beginning" ? "earliest" : "latest");
    props.emplace_back("enable.auto.offset.store", "false");  // stored once printed
  }
  auto conf = make_conf(props);
  if (!conf) {
    err << "brook consume: " << conf.error() << "\n";
    return 2;
  }
  char errstr[512];
  kafka_handle rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), errstr, sizeof(errstr)));
  if (!rk) {
    err << "brook consume: " << errstr << "\n";
    return 1;
  }
  rd_kafka_poll_set_consumer(rk.get());
  const auto timeout = std::chrono::milliseconds(o.timeout_ms);
  std::set<int32_t> unfinished;  // -e: the partitions not yet at their end
  if (o.group.empty()) {
    auto count = partition_count(rk.get(), o.topic, timeout);
    if (!count) {
      err << "brook consume: " << count.error() << "\n";
      return 1;
    }
    std::vector<int32_t> parts = o.partitions;
    if (parts.empty()) {
      for (int32_t p = 0; p < *count; ++p) {
        parts.push_back(p);
      }
    }
    partition_list list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
    for (int32_t p : parts) {
      if (p >= *count) {
        err << "brook consume: " << o.topic << " has no partition " << p << " (it has " << *count
            << ")\n";
        return 1;
      }
      auto* tp = rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), p);
      tp->offset = start_offset(o);
      if (!o.from_time.empty()) {
        tp->offset = *parse_datetime_ms(o.from_time);  // a time, for offsets_for_times
      }
      unfinished.insert(p);
    }
    if (!o.from_time.empty()) {
      auto e = rd_kafka_offsets_for_times(rk.get(), list.get(), static_cast<int>(timeout.count()));
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err << "brook consume: looking up --from-time: " << rd_kafka_err2str(e) << "\n";
        return 1;
      }
      for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].offset < 0) {
          list->elems[i].offset = RD_KAFKA_OFFSET_END;  // nothing that recent: the end
        }
      }
    }
    if (auto e = rd_kafka_assign(rk.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      err << "brook consume: " << rd_kafka_err2str(e) << "\n";
      return 1;
    }
  } else {
    partition_list list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto e = rd_kafka_subscribe(rk.get(), list.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      err << "brook consume: " << rd_kafka_err2str(e) << "\n";
      return 1;
    }
  }
  interrupted.store(false);
  auto previous_int = std::signal(SIGINT, on_interrupt);
  auto previous_term = std::signal(SIGTERM, on_interrupt);
  int status = 0;
  int64_t printed = 0;
  std::string text;
  // With a group, -e waits until a partition was assigned and every assigned one ended.
  bool assigned_seen = o.group.empty();
  std::set<int32_t> ended;
  while (!interrupted.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 200);
    if (o.exit_at_end && !o.group.empty()) {
      rd_kafka_topic_partition_list_t* now = nullptr;
      if (rd_kafka_assignment(rk.get(), &now) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        unfinished.clear();
        for (int i = 0; i < now->cnt; ++i) {
          if (!ended.contains(now->elems[i].partition)) {
            unfinished.insert(now->elems[i].partition);
          }
        }
        assigned_seen = assigned_seen || now->cnt > 0;
        rd_kafka_topic_partition_list_destroy(now);
      }
    }
    if (m == nullptr) {
      if (o.exit_at_end && assigned_seen && unfinished.empty()) {
        break;
      }
      continue;
    }
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(
        m, rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      unfinished.erase(m->partition);
      ended.insert(m->partition);
      if (o.exit_at_end && unfinished.empty()) {
        break;
      }
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      err << "brook consume: " << rd_kafka_message_errstr(m) << "\n";
      if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
          m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
          m->err == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED ||
          m->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
        status = 1;
        break;
      }
      continue;
    }
    ended.erase(m->partition);
    text.clear();
    const auto r = view_of(m);
    if (o.json) {
      record_format::render_json(r, text);
    } else {
      format.render(r, text);
    }
    out << text;
    if (!o.group.empty()) {  // committed (auto commit, and at close) once printed
      partition_list done(rd_kafka_topic_partition_list_new(1));
      rd_kafka_topic_partition_list_add(done.get(), o.topic.c_str(), m->partition)->offset =
          m->offset + 1;
      rd_kafka_offsets_store(rk.get(), done.get());
    }
    if (o.count > 0 && ++printed >= o.count) {
      break;
    }
  }
  out.flush();
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  rd_kafka_consumer_close(rk.get());  // commits what was stored (a group), leaves the group
  return status;
}

}  // namespace brook::app
