#include "app/cli/produce_command.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>

#include "app/cli/bench_kafka.h"
#include "app/cli/key_value.h"
#include "app/cli/progress_line.h"

namespace brook::app {

namespace {

struct delivery_tally {
  std::atomic<uint64_t> delivered{0};
  std::atomic<uint64_t> failed{0};
  std::string first_error;  // set on librdkafka's poll thread (ours)
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* tally = static_cast<delivery_tally*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (tally->failed.fetch_add(1) == 0) {
      tally->first_error = rd_kafka_err2str(m->err);
    }
  } else {
    tally->delivered.fetch_add(1);
  }
}

}  // namespace

CLI::App* add_produce_command(CLI::App& app, produce_options& o) {
  auto* sub =
      app.add_subcommand("produce", "Produce one record per line of stdin (or --file) to a topic");
  sub->add_option("topic", o.topic, "Topic")->type_name("TOPIC")->required();
  add_client_options(sub, o.client);
  sub->add_option("--file", o.file, "Read the lines from this file instead of stdin")
      ->type_name("PATH");
  sub->add_option("-K,--key-separator", o.key_separator,
                  "Split each line at the first SEP: the key before, the value after (a "
                  "line without SEP has no key)")
      ->type_name("SEP");
  sub->add_option("-H,--header", o.headers, "A header on every record, KEY=VALUE; repeatable")
      ->type_name("KEY=VALUE");
  sub->add_option("-p,--partition", o.partition, "Produce to this partition only")->type_name("N");
  sub->add_option("--acks", o.acks, "0, 1 or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  sub->add_flag("--validate-json", o.validate_json,
                "Refuse a line whose value is not JSON (stops there; the lines before are sent)");
  sub->add_option("--timeout-ms", o.timeout_ms,
                  "How long a record may wait to be acknowledged (message.timeout.ms)")
      ->capture_default_str();
  sub->add_flag("--json", o.json, "Print a JSON summary on stdout");
  return sub;
}

done validate_produce_options(const produce_options& o) {
  if (auto valid = validate_client_options(o.client, o.topic); !valid) {
    return valid;
  }
  if (auto valid = check_key_values(o.headers, "--header", "KEY=VALUE"); !valid) {
    return valid;
  }
  if (o.partition < -1) {
    return failure(fmt::format("--partition: {} is not a partition", o.partition));
  }
  if (o.timeout_ms < 1 || o.timeout_ms > INT32_MAX) {
    return failure(fmt::format("--timeout-ms: {} is not 1 to 2147483647", o.timeout_ms));
  }
  return {};
}

int run_produce_command(const produce_options& o, std::istream& input, std::ostream& out,
                        std::ostream& err) {
  if (auto valid = validate_produce_options(o); !valid) {
    err << "brook produce: " << valid.error() << "\n";
    return 2;
  }
  std::ifstream file;
  std::istream* in = &input;
  if (!o.file.empty() && o.file != "-") {
    file.open(o.file, std::ios::binary);
    if (!file) {
      err << "brook produce: cannot read " << o.file << "\n";
      return 2;
    }
    in = &file;
  }
  delivery_tally tally;
  auto props = client_properties(o.client);
  props.emplace_back("acks", o.acks);
  props.emplace_back("message.timeout.ms", std::to_string(o.timeout_ms));
  auto conf = make_conf(props);
  if (!conf) {
    err << "brook produce: " << conf.error() << "\n";
    return 2;
  }
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), &tally);
  char errstr[512];
  kafka_handle rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf->release(), errstr, sizeof(errstr)));
  if (!rk) {
    err << "brook produce: " << errstr << "\n";
    return 1;
  }
  const bool terminal = progress_line::stderr_is_terminal();
  const auto started = std::chrono::steady_clock::now();
  progress_line progress(err, terminal, "records sent");
  uint64_t sent = 0;
  uint64_t sent_bytes = 0;
  uint64_t line_no = 0;
  std::string line;
  std::string refused;
  simdjson::dom::parser parser;
  while (std::getline(*in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    std::string_view key;
    std::string_view value = line;
    bool has_key = false;
    if (!o.key_separator.empty()) {
      if (auto at = line.find(o.key_separator); at != std::string::npos) {
        key = std::string_view(line).substr(0, at);
        value = std::string_view(line).substr(at + o.key_separator.size());
        has_key = true;
      }
    }
    if (o.validate_json) {
      simdjson::padded_string padded(value);
      if (auto doc = parser.parse(padded); doc.error()) {
        refused = fmt::format("line {}: the value is not JSON ({})", line_no,
                              simdjson::error_message(doc.error()));
        break;
      }
    }
    rd_kafka_headers_t* headers = nullptr;
    if (!o.headers.empty()) {
      headers = rd_kafka_headers_new(o.headers.size());
      for (const auto& h : o.headers) {
        auto [k, v] = split_key_value(h);
        rd_kafka_header_add(headers, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
      }
    }
    while (true) {
      // The const_casts: librdkafka copies (RD_KAFKA_MSG_F_COPY) and never writes them.
      auto e = rd_kafka_producev(
          rk.get(), RD_KAFKA_V_TOPIC(o.topic.c_str()),
          RD_KAFKA_V_PARTITION(o.partition >= 0 ? o.partition : RD_KAFKA_PARTITION_UA),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_KEY(has_key ? const_cast<char*>(key.data()) : nullptr,
                         has_key ? key.size() : 0),
          RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk.get(), 100);  // wait for room: deliveries free it
        continue;
      }
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (headers != nullptr) {
          rd_kafka_headers_destroy(headers);
        }
        refused = fmt::format("line {}: {}", line_no, rd_kafka_err2str(e));
      }
      break;
    }
    if (!refused.empty()) {
      break;
    }
    ++sent;
    rd_kafka_poll(rk.get(), 0);
    sent_bytes += value.size() + key.size();
    progress.update(sent, sent_bytes);
  }
  // Every record sent is waited for (acknowledged or failed) before the summary.
  while (tally.delivered.load() + tally.failed.load() < sent) {
    rd_kafka_flush(rk.get(), 1000);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress.finish();
  const uint64_t failed = tally.failed.load();
  if (o.json) {
    out << fmt::format(R"({{"topic":"{}","records":{},"failed":{},"seconds":{:.3f}}})", o.topic,
                       tally.delivered.load(), failed, seconds)
        << "\n";
  } else if (terminal) {
    err << fmt::format("Produced {} records to {} in {:.1f} s.\n", tally.delivered.load(), o.topic,
                       seconds);
  }
  if (failed > 0) {
    err << "brook produce: " << failed << " record(s) failed: " << tally.first_error << "\n";
  }
  if (!refused.empty()) {
    err << "brook produce: " << refused << "\n";
  }
  return failed > 0 || !refused.empty() ? 1 : 0;
}

}  // namespace brook::app
