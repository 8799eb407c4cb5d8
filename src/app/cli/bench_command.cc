#include "app/cli/bench_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <ostream>

#include "app/cli/bench_runs.h"
#include "app/cli/key_value.h"
#include "base/json_writer.h"
#include "protocol/topic_name.h"

namespace brook::app {

namespace {

std::string json_latency(const std::optional<latency_summary>& l) {
  if (!l) {
    return "null";
  }
  return fmt::format(R"({{"samples":{},"p50":{:.3f},"p99":{:.3f},"p99_9":{:.3f},"max":{:.3f}}})",
                     l->samples, l->p50_ms, l->p99_ms, l->p999_ms, l->max_ms);
}

std::string text_latency(const latency_summary& l) {
  return fmt::format("p50 {:.3f} ms, p99 {:.3f} ms, p99.9 {:.3f} ms, max {:.3f} ms ({} samples)",
                     l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms, l.samples);
}

double per_second(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

std::string linger_text(int32_t linger_ms) {
  return linger_ms >= 0 ? std::to_string(linger_ms) : "default";
}

void print_text(const bench_options& o, const bench_report& r, std::ostream& out) {
  if (o.mode == "consume") {
    out << fmt::format("consume {}: {} partitions\n", o.topic, r.partitions);
  } else {
    out << fmt::format(
        "{} {}: {} B records, {} partitions, acks={}, compression={}, linger.ms={}, "
        "batch.size={}, rate={}\n",
        o.mode, o.topic, o.record_size, r.partitions, o.acks, o.compression,
        linger_text(r.linger_ms), o.batch_size > 0 ? std::to_string(o.batch_size) : "default",
        o.rate > 0 ? fmt::format("{:.0f}/s", o.rate) : "max");
    if (o.transaction_records > 0) {
      out << fmt::format("  transactional: a commit every {} records\n", o.transaction_records);
    }
  }
  out << fmt::format("  {} records, {} bytes in {:.3f} s: {:.0f} records/s, {:.2f} MB/s\n",
                     r.records, r.bytes, r.seconds, per_second(r.records, r.seconds),
                     per_second(r.bytes, r.seconds) / 1e6);
  if (o.mode == "produce" && r.latency) {
    out << "  latency, send to delivery report: " << text_latency(*r.latency) << "\n";
  }
  if (o.mode == "e2e") {
    if (r.latency) {
      out << "  latency, send to consume: " << text_latency(*r.latency) << "\n";
    }
    if (r.delivery_latency) {
      out << "  latency, send to delivery report: " << text_latency(*r.delivery_latency) << "\n";
    }
  }
  if (r.pacer_skipped > 0) {
    out << fmt::format("  the sender fell behind --rate: {} sends skipped\n", r.pacer_skipped);
  }
  if (r.errors > 0) {
    out << fmt::format("  {} errors; first: {}\n", r.errors, r.first_error);
  }
}

void print_json(const bench_options& o, const bench_report& r, std::ostream& out) {
  out << fmt::format(
      R"({{"mode":{},"topic":{},"partitions":{},"record_size":{},"acks":{},"compression":{},)"
      R"("linger_ms":{},"batch_size":{},"target_rate":{},"transaction_records":{},)"
      R"("records":{},"bytes":{},)"
      R"("seconds":{:.6f},"records_per_s":{:.1f},"mb_per_s":{:.3f},"latency_ms":{},)"
      R"("delivery_latency_ms":{},"pacer_skipped":{},"errors":{},"first_error":{}}})"
      "\n",
      json_writer::quoted(o.mode), json_writer::quoted(o.topic), r.partitions, o.record_size,
      json_writer::quoted(o.acks), json_writer::quoted(o.compression),
      r.linger_ms >= 0 ? std::to_string(r.linger_ms) : "null",
      o.batch_size > 0 ? std::to_string(o.batch_size) : "null", o.rate,
      o.transaction_records > 0 ? std::to_string(o.transaction_records) : "null", r.records,
      r.bytes, r.seconds, per_second(r.records, r.seconds), per_second(r.bytes, r.seconds) / 1e6,
      json_latency(o.mode == "consume" ? std::nullopt : r.latency),
      json_latency(r.delivery_latency), r.pacer_skipped, r.errors,
      r.first_error.empty() ? "null" : json_writer::quoted(r.first_error));
}

// A number no smaller than `min`; CLI11's own range check prints its bounds in full.
CLI::Validator at_least(double min) {
  return CLI::Validator(
      [min](std::string& value) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(value, v) || v < min) {
          return fmt::format("{} is not a number of at least {}", value, min);
        }
        return {};
      },
      fmt::format("NUMBER >= {}", min));
}

}  // namespace

CLI::App* add_bench_command(CLI::App& app, bench_options& o) {
  auto* bench = app.add_subcommand(
      "bench", "Load generator (librdkafka): produce, consume or end-to-end latency");
  bench->add_option("mode", o.mode, "produce, consume or e2e")
      ->type_name("MODE")
      ->required()
      ->check(CLI::IsMember({"produce", "consume", "e2e"}));
  bench->add_option("--bootstrap", o.bootstrap, "Broker address")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  bench->add_option("--topic", o.topic, "Topic")->type_name("TOPIC")->capture_default_str();
  bench->add_option("--record-size", o.record_size, "Value bytes per record (no key)")
      ->type_name("BYTES")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000}));
  auto* count =
      bench->add_option("--count", o.count, "Records to send or read")->check(at_least(1));
  bench
      ->add_option("--duration", o.duration_s,
                   "Seconds to send or read (default for produce and e2e: 10)")
      ->type_name("SECONDS")
      ->check(at_least(0.001))
      ->excludes(count);
  // The producer's options; consume refuses them (validate_bench_options).
  auto producer_option = [&o](CLI::Option* opt) {
    std::string name = opt->get_name();
    opt->each([&o, name](const std::string&) { o.producer_options_given.push_back(name); });
    return opt;
  };
  producer_option(bench->add_option("--partitions", o.partitions,
                                    "Create the topic with this many partitions if it is missing"))
      ->check(CLI::Range(1, 1'000'000));
  producer_option(bench->add_option("--acks", o.acks, "0, 1 or all"))
      ->type_name("ACKS")
      ->capture_default_str()
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  producer_option(
      bench->add_option("--compression", o.compression, "none, gzip, snappy, lz4 or zstd"))
      ->type_name("CODEC")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  producer_option(bench->add_option("--linger-ms", o.linger_ms,
                                    "Producer linger.ms (default: librdkafka's 5; e2e: 0)"))
      ->type_name("MS")
      ->check(CLI::Range(0, 900'000));
  producer_option(bench->add_option("--batch-size", o.batch_size,
                                    "Producer batch.size in bytes (default: librdkafka's)"))
      ->type_name("BYTES")
      ->check(CLI::Range(1, 2'147'483'647));
  producer_option(bench->add_option("--rate", o.rate,
                                    "Target records/s, evenly spaced (0: as fast as possible)"))
      ->type_name("RECORDS/S")
      ->capture_default_str()
      ->check(at_least(0));
  producer_option(
      bench->add_option("--transaction-records", o.transaction_records,
                        "produce: a transactional producer committing every this many records"))
      ->type_name("RECORDS")
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
  bench->add_flag("--json", o.json, "Print one JSON object instead of text");
  bench
      ->add_option("-X,--property", o.properties,
                   "A librdkafka property for the producer and consumer, NAME=VALUE "
                   "(repeatable): security.protocol=SASL_SSL, sasl.mechanisms=SCRAM-SHA-256, "
                   "ssl.ca.location=ca.pem, ...; a password is better in BROOK_BENCH_SASL_PASSWORD")
      ->type_name("NAME=VALUE");
  return bench;
}

done validate_bench_options(const bench_options& o) {
  if (o.bootstrap.empty()) {
    return failure("--bootstrap: empty");
  }
  if (!protocol::is_legal_topic_name(o.topic)) {
    return failure(fmt::format(
        "--topic: '{}' is not a valid topic name (1 to 249 of a-z A-Z 0-9 . _ -)", o.topic));
  }
  if (o.mode == "consume" && !o.producer_options_given.empty()) {
    return failure(fmt::format("{} applies to produce and e2e, not consume",
                               o.producer_options_given.front()));
  }
  if (auto valid = check_key_values(o.properties, "-X"); !valid) {
    return valid;
  }
  if (o.transaction_records > 0 && o.mode != "produce") {
    return failure("--transaction-records applies to produce only");
  }
  if (o.mode == "e2e" && o.record_size < 16) {
    return failure(fmt::format(
        "--record-size: e2e needs at least 16 bytes per record (its id and send time), not {}",
        o.record_size));
  }
  return {};
}

int run_bench(const bench_options& o, std::ostream& out, std::ostream& err) {
  if (auto valid = validate_bench_options(o); !valid) {
    err << "brook bench: " << valid.error() << "\n";
    return 2;
  }
  auto report = o.mode == "produce"   ? run_produce(o, err)
                : o.mode == "consume" ? run_consume(o, err)
                                      : run_e2e(o, err);
  if (!report) {
    err << "brook bench: " << report.error() << "\n";
    return 1;
  }
  if (o.json) {
    print_json(o, *report, out);
  } else {
    print_text(o, *report, out);
  }
  return report->errors == 0 ? 0 : 1;
}

}  // namespace brook::app
