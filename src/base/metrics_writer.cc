#include "base/metrics_writer.h"

#include <atomic>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace brook {

namespace {

// The size of the last page written: the next one reserves it at once, so a large page is
// not built by doubling (each doubling a copy, into fresh pages that fault).
std::atomic<size_t> last_page_size{0};

// An integer as text, without fmt's machinery (a page has thousands).
template <typename Int>
std::string_view integer_text(Int v, char (&buf)[24]) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, static_cast<size_t>(end - buf)};
}

void append_escaped(std::string& out, std::string_view s, bool help) {
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && !help) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

std::string number(double v) {
  if (std::isnan(v)) {
    return "NaN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  return fmt::format("{}", v);
}

}  // namespace

void metrics_writer::begin(std::string_view name, std::string_view help, kind k) {
  if (_out.empty()) {
    _out.reserve(last_page_size.load(std::memory_order_relaxed) + 4096);
  }
  _family = name;
  _kind = k;
  const bool om = _format == metrics_format::openmetrics;
  // The classic format names a counter's family after its samples (`_total`).
  const std::string type_name =
      k == kind::counter && !om ? fmt::format("{}_total", name) : std::string(name);
  _out += "# HELP ";
  _out += type_name;
  _out += ' ';
  append_escaped(_out, help, true);
  _out += "\n# TYPE ";
  _out += type_name;
  _out += k == kind::counter ? " counter\n" : k == kind::gauge ? " gauge\n" : " histogram\n";
}

void metrics_writer::counter(std::string_view name, std::string_view help) {
  begin(name, help, kind::counter);
}

void metrics_writer::gauge(std::string_view name, std::string_view help) {
  begin(name, help, kind::gauge);
}

void metrics_writer::histogram(std::string_view name, std::string_view help) {
  begin(name, help, kind::histogram);
}

void metrics_writer::sample(std::string_view suffix, std::initializer_list<metric_label> labels,
                            std::string_view extra_name, std::string_view extra_value,
                            std::string_view value) {
  _out += _family;
  _out += suffix;
  if (labels.size() != 0 || !extra_name.empty()) {
    _out += '{';
    bool first = true;
    auto label = [&](std::string_view n, std::string_view v) {
      if (!first) {
        _out += ',';
      }
      first = false;
      _out += n;
      _out += "=\"";
      append_escaped(_out, v, false);
      _out += '"';
    };
    for (const auto& l : labels) {
      label(l.name, l.value);
    }
    if (!extra_name.empty()) {
      label(extra_name, extra_value);
    }
    _out += '}';
  }
  _out += ' ';
  _out += value;
  _out += '\n';
}

void metrics_writer::value(std::initializer_list<metric_label> labels, double v) {
  sample(_kind == kind::counter ? "_total" : "", labels, {}, {}, number(v));
}

void metrics_writer::value(std::initializer_list<metric_label> labels, uint64_t v) {
  char buf[24];
  sample(_kind == kind::counter ? "_total" : "", labels, {}, {}, integer_text(v, buf));
}

void metrics_writer::value(std::initializer_list<metric_label> labels, int64_t v) {
  char buf[24];
  sample(_kind == kind::counter ? "_total" : "", labels, {}, {}, integer_text(v, buf));
}

void metrics_writer::value(std::initializer_list<metric_label> labels,
                           const metric_histogram::snapshot& h) {
  for (size_t i = 0; i < h.cumulative.size(); ++i) {
    const std::string le = i < h.bounds.size() ? number(h.bounds[i]) : "+Inf";
    char buf[24];
    sample("_bucket", labels, "le", le, integer_text(h.cumulative[i], buf));
  }
  sample("_sum", labels, {}, {}, number(h.sum));
  char buf[24];
  sample("_count", labels, {}, {}, integer_text(h.count(), buf));
}

std::string metrics_writer::finish() {
  if (_format == metrics_format::openmetrics) {
    _out += "# EOF\n";
  }
  last_page_size.store(_out.size(), std::memory_order_relaxed);
  return std::move(_out);
}

std::string_view metrics_writer::content_type(metrics_format format) {
  return format == metrics_format::openmetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

metrics_format metrics_writer::negotiate(std::string_view accept) {
  return accept.find("application/openmetrics-text") != std::string_view::npos
             ? metrics_format::openmetrics
             : metrics_format::prometheus_text;
}

}  // namespace brook
