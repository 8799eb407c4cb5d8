// metrics_writer: the exposition formats a Prometheus server scrapes. The classic text
// format (text/plain; version=0.0.4) and OpenMetrics 1.0 (application/openmetrics-text),
// which differ in a counter's TYPE line (OpenMetrics names the family without `_total`)
// and in the closing `# EOF`. Each family is started once, with its help text, and its
// samples follow; label values are escaped here (backslash, quote, newline), so any topic
// or group name can be a label value. Names are the caller's: `brook_` and snake_case.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/metric_histogram.h"

namespace brook {

enum class metrics_format { prometheus_text, openmetrics };

struct metric_label {
  std::string_view name;
  std::string_view value;
};

class metrics_writer {
 public:
  explicit metrics_writer(metrics_format format) : _format(format) {}

  // Starts a family. A counter's `name` is given without `_total`: the writer adds it to
  // every sample.
  void counter(std::string_view name, std::string_view help);
  void gauge(std::string_view name, std::string_view help);
  void histogram(std::string_view name, std::string_view help);

  // A sample of the family started last.
  void value(std::initializer_list<metric_label> labels, double v);
  void value(std::initializer_list<metric_label> labels, uint64_t v);
  void value(std::initializer_list<metric_label> labels, int64_t v);
  void value(std::initializer_list<metric_label> labels, const metric_histogram::snapshot& h);

  // The page, closed as its format requires.
  std::string finish();

  // The Content-Type of a page in `format`.
  static std::string_view content_type(metrics_format format);
  // The format a client asks for with `accept` (OpenMetrics when it names it).
  static metrics_format negotiate(std::string_view accept);

 private:
  enum class kind { counter, gauge, histogram };
  void begin(std::string_view name, std::string_view help, kind k);
  void sample(std::string_view suffix, std::initializer_list<metric_label> labels,
              std::string_view extra_name, std::string_view extra_value, std::string_view value);

  metrics_format _format;
  std::string _out;
  std::string _family;
  kind _kind = kind::gauge;
};

}  // namespace brook
