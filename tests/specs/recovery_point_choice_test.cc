#include "specs/internal/recovery_point_choice.h"

#include <gtest/gtest.h>

namespace cdr::specs::internal {
namespace {

using Kind = RecoveryPointChoice::Kind;

TEST(RecoveryPointIdTest, MatchesThePattern) {
  EXPECT_TRUE(IsRecoveryPointId("rp-20261125T100000Z"));
  EXPECT_TRUE(IsRecoveryPointId("rp-20261125T100000Z-2"));
  EXPECT_TRUE(IsRecoveryPointId("rp-20261125T100000Z-123"));
  EXPECT_FALSE(IsRecoveryPointId("rp-20261125T100000"));
  EXPECT_FALSE(IsRecoveryPointId("rp-2026112T100000Z"));
  EXPECT_FALSE(IsRecoveryPointId("rp-20261125T100000Z-"));
  EXPECT_FALSE(IsRecoveryPointId("rp-20261125T100000Z-x"));
  EXPECT_FALSE(IsRecoveryPointId("rp-20261125t100000Z"));
  EXPECT_FALSE(IsRecoveryPointId("xrp-20261125T100000Z"));
  EXPECT_FALSE(IsRecoveryPointId("rp-20261125T100000Z "));
}

TEST(RecoveryPointChoiceTest, Latest) {
  RecoveryPointChoice c;
  c.kind = Kind::kId;
  EXPECT_EQ(ParseRecoveryPointText("latest", &c), "");
  EXPECT_EQ(c.kind, Kind::kLatest);
  EXPECT_EQ(c.text, "latest");
}

TEST(RecoveryPointChoiceTest, TimeKeepsTheTextAndConvertsToUtc) {
  RecoveryPointChoice c;
  EXPECT_EQ(ParseRecoveryPointText("2026-11-25T18:00:00+08:00", &c), "");
  EXPECT_EQ(c.kind, Kind::kTime);
  EXPECT_EQ(c.text, "2026-11-25T18:00:00+08:00");
  EXPECT_EQ(c.time_ns, 1795600800LL * 1'000'000'000);
}

TEST(RecoveryPointChoiceTest, Id) {
  RecoveryPointChoice c;
  EXPECT_EQ(ParseRecoveryPointText("rp-20261125T100000Z-2", &c), "");
  EXPECT_EQ(c.kind, Kind::kId);
  EXPECT_EQ(c.text, "rp-20261125T100000Z-2");
  EXPECT_EQ(c.time_ns, 0);
}

TEST(RecoveryPointChoiceTest, BadIdSaysTheShape) {
  RecoveryPointChoice c;
  EXPECT_EQ(
      ParseRecoveryPointText("rp-2026", &c),
      "invalid recovery point id `rp-2026`: must be rp-YYYYMMDDTHHMMSSZ, optionally followed by -N (e.g. "
      "rp-20261125T100000Z or rp-20261125T100000Z-2), as `cdr recovery-points` lists them");
}

TEST(RecoveryPointChoiceTest, TimeWithoutZone) {
  RecoveryPointChoice c;
  EXPECT_EQ(ParseRecoveryPointText("2026-11-25T10:00:00", &c),
            "time `2026-11-25T10:00:00` has no time zone: add `Z` for UTC or an offset such as `+08:00`");
}

TEST(RecoveryPointChoiceTest, UnknownWordWithHint) {
  RecoveryPointChoice c;
  const std::string choices =
      "must be `latest`, an RFC 3339 time such as `2026-11-25T10:00:00Z`, or a recovery point id such as "
      "`rp-20261125T100000Z`";
  EXPECT_EQ(ParseRecoveryPointText("Latest", &c),
            "unknown value `Latest`: " + choices + " (did you mean `latest`?)");
  EXPECT_EQ(ParseRecoveryPointText("lates", &c),
            "unknown value `lates`: " + choices + " (did you mean `latest`?)");
  EXPECT_EQ(ParseRecoveryPointText("now", &c), "unknown value `now`: " + choices);
}

}  // namespace
}  // namespace cdr::specs::internal
