#include "common/rfc3339.h"

#include <gtest/gtest.h>

#include <string>

namespace cdr {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
// 2026-11-25T10:00:00Z, from `date -u -d 2026-11-25T10:00:00Z +%s`.
constexpr int64_t k20261125T10 = 1795600800LL * kSecond;

int64_t Parse(const std::string& text) {
  int64_t ns = -1;
  std::string problem;
  EXPECT_TRUE(ParseRfc3339(text, &ns, &problem)) << text << ": " << problem;
  return ns;
}

std::string Problem(const std::string& text) {
  int64_t ns = -1;
  std::string problem;
  EXPECT_FALSE(ParseRfc3339(text, &ns, &problem)) << text << " was accepted as " << ns;
  return problem;
}

TEST(Rfc3339Test, UtcAndOffsetsGiveTheSameInstant) {
  EXPECT_EQ(Parse("2026-11-25T10:00:00Z"), k20261125T10);
  EXPECT_EQ(Parse("2026-11-25T18:00:00+08:00"), k20261125T10);
  EXPECT_EQ(Parse("2026-11-25T04:30:00-05:30"), k20261125T10);
  EXPECT_EQ(Parse("2026-11-25t10:00:00z"), k20261125T10);
  EXPECT_EQ(Parse("2026-11-25 10:00:00Z"), k20261125T10);
}

TEST(Rfc3339Test, EpochAndFractions) {
  EXPECT_EQ(Parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Parse("1970-01-01T00:00:01.5Z"), kSecond + 500'000'000);
  EXPECT_EQ(Parse("1970-01-01T00:00:00.000000001Z"), 1);
  EXPECT_EQ(Parse("2026-11-25T10:00:00.123456789Z"), k20261125T10 + 123456789);
}

TEST(Rfc3339Test, LeapDayOnlyInLeapYears) {
  EXPECT_EQ(Parse("2028-02-29T00:00:00Z") - Parse("2028-02-28T00:00:00Z"), 86400 * kSecond);
  EXPECT_EQ(Problem("2026-02-29T00:00:00Z"), "has day 29, which month 2 of 2026 does not have");
}

TEST(Rfc3339Test, NoZoneIsRefused) {
  EXPECT_EQ(Problem("2026-11-25T10:00:00"),
            "has no time zone: add `Z` for UTC or an offset such as `+08:00`");
  EXPECT_EQ(Problem("2026-11-25T10:00:00.25"),
            "has no time zone: add `Z` for UTC or an offset such as `+08:00`");
}

TEST(Rfc3339Test, DateAloneIsRefused) {
  EXPECT_EQ(Problem("2026-11-25"),
            "is a date without a time of day: write a full time such as `2026-11-25T00:00:00Z`");
}

TEST(Rfc3339Test, FieldsOutOfRange) {
  EXPECT_EQ(Problem("2026-13-01T00:00:00Z"), "has month 13 (must be 1–12)");
  EXPECT_EQ(Problem("2026-04-31T00:00:00Z"), "has day 31, which month 4 of 2026 does not have");
  EXPECT_NE(Problem("2026-11-25T24:00:00Z").find("time of day out of range"), std::string::npos);
  EXPECT_NE(Problem("2026-11-25T10:60:00Z").find("time of day out of range"), std::string::npos);
  EXPECT_NE(Problem("2026-11-25T23:59:60Z").find("leap seconds are not supported"), std::string::npos);
  EXPECT_EQ(Problem("2026-11-25T10:00:00+24:00"),
            "has a zone offset out of range (hours 00–23, minutes 00–59)");
}

TEST(Rfc3339Test, OutsideTheNanosecondRange) {
  EXPECT_EQ(Problem("1969-12-31T23:59:59Z"),
            "is outside the range of recovery point times (1970 to 2262, UTC)");
  EXPECT_EQ(Problem("1970-01-01T00:00:00+00:01"),
            "is outside the range of recovery point times (1970 to 2262, UTC)");
  EXPECT_EQ(Problem("2263-01-01T00:00:00Z"),
            "is outside the range of recovery point times (1970 to 2262, UTC)");
  EXPECT_GT(Parse("2262-01-01T00:00:00Z"), 0);
}

TEST(Rfc3339Test, MalformedText) {
  const std::string shape =
      "is not an RFC 3339 time: expected YYYY-MM-DDTHH:MM:SS[.fraction] followed by `Z` or an offset such as "
      "`+08:00`";
  EXPECT_EQ(Problem("2026-1-25T10:00:00Z"), shape);
  EXPECT_EQ(Problem("2026-11-25T10:00Z"), shape);
  EXPECT_EQ(Problem("2026-11-25T10:00:00+0800"), shape);
  EXPECT_EQ(Problem("2026-11-25T10:00:00Z "), shape);
  EXPECT_EQ(Problem("2026-11-25X10:00:00Z"), shape);
  EXPECT_EQ(
      Problem("2026-11-25T10:00:00.Z"),
      "has no digits after the decimal point: expected YYYY-MM-DDTHH:MM:SS[.fraction] followed by `Z` or "
      "an offset such as `+08:00`");
  EXPECT_EQ(Problem("2026-11-25T10:00:00.1234567891Z"),
            "has more than 9 fraction digits (nanoseconds are the finest precision)");
}

TEST(Rfc3339Test, FormatRoundTrips) {
  EXPECT_EQ(FormatRfc3339Nanos(k20261125T10 + 123456789), "2026-11-25T10:00:00.123456789Z");
  EXPECT_EQ(Parse(FormatRfc3339Nanos(k20261125T10 + 5)), k20261125T10 + 5);
}

}  // namespace
}  // namespace cdr
