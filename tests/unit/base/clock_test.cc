// clock: epoch milliseconds and ISO-8601 text, both ways, with every accepted form and
// one test per way a date-time is refused.
#include "base/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <string_view>

namespace brook {
namespace {

// 2024-05-01T12:00:00Z
constexpr int64_t may_first_noon = 1'714'564'800'000;

TEST(Clock, EpochMsOfATimePoint) {
  std::chrono::system_clock::time_point t{std::chrono::milliseconds(may_first_noon + 7)};
  EXPECT_EQ(epoch_ms(t), may_first_noon + 7);
}

TEST(Clock, WallClockMsIsTheSystemClock) {
  int64_t before = epoch_ms(std::chrono::system_clock::now());
  int64_t now = wall_clock_ms();
  int64_t after = epoch_ms(std::chrono::system_clock::now());
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

TEST(Clock, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601(may_first_noon), "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(format_iso8601(1'612'552'482'123), "2021-02-05T19:14:42.123Z");
  EXPECT_EQ(format_iso8601(951'782'400'000), "2000-02-29T00:00:00.000Z");
}

TEST(Clock, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Clock, ParsesWhatItFormats) {
  for (int64_t ms : {int64_t{0}, may_first_noon, int64_t{1'612'552'482'123}, int64_t{-1}}) {
    EXPECT_EQ(parse_iso8601(format_iso8601(ms)), ms) << ms;
  }
}

TEST(Clock, ParsesEveryAcceptedForm) {
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00Z"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01t12:00:00z"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01 12:00:00Z"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01"), may_first_noon - 12 * 3'600'000);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00.5Z"), may_first_noon + 500);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00.123Z"), may_first_noon + 123);
  EXPECT_EQ(parse_iso8601("2024-05-01T12:00:00.123999Z"), may_first_noon + 123);
}

TEST(Clock, ZoneOffsetsAreSubtracted) {
  EXPECT_EQ(parse_iso8601("2024-05-01T13:00:00+01:00"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01T13:00:00+0100"), may_first_noon);
  EXPECT_EQ(parse_iso8601("2024-05-01T06:30:00-05:30"), may_first_noon);
}

TEST(Clock, RefusesWhatIsNotADateTime) {
  for (std::string_view bad :
       {"", "now", "2024", "2024-05", "2024-5-01", "24-05-01", "2024-05-01T", "2024-05-01T12",
        "2024-05-01T12:0", "2024-05-01T12:00:00.", "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00ZZ",
        "2024-05-01T12:00:00 ", "2024-05-01T12:00:00+1", "2024-05-01T12:00:00+01:0",
        "1714564800000", "+024-05-01", "2024-05-01X12:00"}) {
    EXPECT_EQ(parse_iso8601(bad), std::nullopt) << bad;
  }
}

TEST(Clock, RefusesFieldsOutOfRange) {
  for (std::string_view bad : {"2024-13-01", "2024-00-01", "2024-05-00", "2023-02-29", "2024-04-31",
                               "2024-05-01T24:00", "2024-05-01T12:60", "2024-05-01T12:00:60",
                               "2024-05-01T12:00+24:00", "2024-05-01T12:00+01:60"}) {
    EXPECT_EQ(parse_iso8601(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_iso8601("2024-02-29"), 1'709'164'800'000);
}

}  // namespace
}  // namespace brook
