// The S3 sink's configuration and key layout (the uploads themselves are tested against a
// real S3 server: tests/compat/s3_sink_test.py).
#include "connect/s3_sink.h"

#include <gtest/gtest.h>

namespace brook::connect {
namespace {

TEST(S3Sink, PathFormatOfARecordTime) {
  const int64_t t = 1700000000123;  // 2023-11-14T22:13:20.123Z
  EXPECT_EQ(format_s3_path("'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", t),
            "year=2023/month=11/day=14/hour=22");
  EXPECT_EQ(format_s3_path("YYYY-MM-dd'T'HH:mm:ss", t), "2023-11-14T22:13:20");
  EXPECT_EQ(format_s3_path("'dt='yyyyMMdd", t), "dt=20231114");
}

TEST(S3Sink, OptionsAndEveryError) {
  connector_config good({{"s3.bucket.name", "b"},
                         {"flush.size", "3"},
                         {"store.url", "http://127.0.0.1:9000/"},
                         {"aws.access.key.id", "k"},
                         {"aws.secret.access.key", "s"}});
  auto o = s3_sink_options::from(good);
  EXPECT_TRUE(good.errors().empty()) << good.errors().front();
  EXPECT_TRUE(o.s3.path_style);  // a custom endpoint: path style unless told
  EXPECT_EQ(o.topics_dir, "topics");
  EXPECT_FALSE(o.bytes);

  connector_config bad({{"store.url", "ftp://x"},
                        {"format.class", "AvroFormat"},
                        {"s3.part.size", "1024"},
                        {"partitioner.class", "FieldPartitioner"},
                        {"aws.access.key.id", "k"},
                        {"aws.secret.access.key", "s"}});
  (void)s3_sink_options::from(bad);
  // no bucket, store.url, s3.part.size, no flush.size, format.class, partitioner.class
  EXPECT_EQ(bad.errors().size(), 6U);
}

TEST(S3Sink, TimeBasedPartitioningNeedsItsKeys) {
  connector_config c({{"s3.bucket.name", "b"},
                      {"flush.size", "1"},
                      {"partitioner.class", "TimeBasedPartitioner"},
                      {"timezone", "Europe/Paris"},
                      {"aws.access.key.id", "k"},
                      {"aws.secret.access.key", "s"}});
  (void)s3_sink_options::from(c);
  EXPECT_EQ(c.errors().size(), 3U);  // path.format, partition.duration.ms, timezone
}

}  // namespace
}  // namespace brook::connect
