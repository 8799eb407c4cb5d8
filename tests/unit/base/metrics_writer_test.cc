// metrics_writer, metric_histogram and metrics_registry: the exposition text Prometheus
// reads (HELP and TYPE lines, counters' _total, label escaping, histogram buckets that are
// cumulative and end in +Inf), OpenMetrics' differences, and collectors that come and go.
#include "base/metrics_writer.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "base/metric_counter.h"
#include "base/metric_histogram.h"
#include "base/metrics_registry.h"

namespace brook {
namespace {

TEST(MetricsWriter, CounterFamilyIsNamedWithTotalInTheTextFormat) {
  metrics_writer w(metrics_format::prometheus_text);
  w.counter("brook_things", "Things done.");
  w.value({{"kind", "a"}}, uint64_t{3});
  w.value({}, uint64_t{4});
  EXPECT_EQ(w.finish(),
            "# HELP brook_things_total Things done.\n"
            "# TYPE brook_things_total counter\n"
            "brook_things_total{kind=\"a\"} 3\n"
            "brook_things_total 4\n");
}

TEST(MetricsWriter, OpenMetricsNamesTheCounterFamilyWithoutTotalAndEndsWithEof) {
  metrics_writer w(metrics_format::openmetrics);
  w.counter("brook_things", "Things done.");
  w.value({}, uint64_t{1});
  w.gauge("brook_level", "A level.");
  w.value({}, int64_t{-2});
  EXPECT_EQ(w.finish(),
            "# HELP brook_things Things done.\n"
            "# TYPE brook_things counter\n"
            "brook_things_total 1\n"
            "# HELP brook_level A level.\n"
            "# TYPE brook_level gauge\n"
            "brook_level -2\n"
            "# EOF\n");
}

TEST(MetricsWriter, LabelValuesAreEscaped) {
  metrics_writer w(metrics_format::prometheus_text);
  w.gauge("brook_g", "Help with \\ and\nnewline and \"quotes\".");
  w.value({{"topic", "a\"b\\c\nd"}, {"partition", "0"}}, 1.5);
  EXPECT_EQ(w.finish(),
            "# HELP brook_g Help with \\\\ and\\nnewline and \"quotes\".\n"
            "# TYPE brook_g gauge\n"
            "brook_g{topic=\"a\\\"b\\\\c\\nd\",partition=\"0\"} 1.5\n");
}

TEST(MetricsWriter, NonFiniteValuesUsePrometheusSpelling) {
  metrics_writer w(metrics_format::prometheus_text);
  w.gauge("brook_g", "g");
  w.value({}, std::numeric_limits<double>::infinity());
  w.value({}, -std::numeric_limits<double>::infinity());
  w.value({}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(w.finish(),
            "# HELP brook_g g\n# TYPE brook_g gauge\nbrook_g +Inf\nbrook_g -Inf\nbrook_g NaN\n");
}

TEST(MetricHistogram, BucketsAreCumulativeAndBoundsInclusive) {
  static constexpr double bounds[] = {1, 2, 5};
  metric_histogram h(bounds);
  for (double v : {0.5, 1.0, 1.5, 2.0, 4.0, 7.0}) {
    h.observe(v);
  }
  auto s = h.read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 4, 5, 6}));
  EXPECT_EQ(s.count(), 6u);
  EXPECT_DOUBLE_EQ(s.sum, 16.0);
  metrics_writer w(metrics_format::prometheus_text);
  w.histogram("brook_h", "h");
  w.value({{"api", "produce"}}, s);
  EXPECT_EQ(w.finish(),
            "# HELP brook_h h\n# TYPE brook_h histogram\n"
            "brook_h_bucket{api=\"produce\",le=\"1\"} 2\n"
            "brook_h_bucket{api=\"produce\",le=\"2\"} 4\n"
            "brook_h_bucket{api=\"produce\",le=\"5\"} 5\n"
            "brook_h_bucket{api=\"produce\",le=\"+Inf\"} 6\n"
            "brook_h_sum{api=\"produce\"} 16\n"
            "brook_h_count{api=\"produce\"} 6\n");
}

TEST(MetricHistogram, ConcurrentObservationsAreAllCounted) {
  metric_histogram h(metric_histogram::latency_bounds());
  metric_counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        h.observe(0.001 * (i % 7));
        c.add();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(h.read().count(), 40000u);
  EXPECT_EQ(c.value(), 40000u);
}

TEST(MetricsRegistry, ScrapeRunsTheCollectorsInOrderAndForgetsRemovedOnes) {
  metrics_registry r;
  auto first = r.add([](metrics_writer& w) {
    w.gauge("brook_first", "first");
    w.value({}, uint64_t{1});
  });
  {
    auto second = r.add([](metrics_writer& w) {
      w.gauge("brook_second", "second");
      w.value({}, uint64_t{2});
    });
    auto page = r.scrape(metrics_format::prometheus_text);
    EXPECT_LT(page.find("brook_first 1"), page.find("brook_second 2"));
  }
  auto page = r.scrape(metrics_format::prometheus_text);
  EXPECT_NE(page.find("brook_first 1"), std::string::npos);
  EXPECT_EQ(page.find("brook_second"), std::string::npos);
  first.reset();
  EXPECT_EQ(r.scrape(metrics_format::openmetrics), "# EOF\n");
}

TEST(MetricsWriter, NegotiatesOpenMetricsOnlyWhenAsked) {
  EXPECT_EQ(metrics_writer::negotiate(""), metrics_format::prometheus_text);
  EXPECT_EQ(metrics_writer::negotiate("text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            metrics_format::prometheus_text);
  EXPECT_EQ(metrics_writer::negotiate(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"),
            metrics_format::openmetrics);
  EXPECT_EQ(metrics_writer::content_type(metrics_format::prometheus_text),
            "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace
}  // namespace brook
