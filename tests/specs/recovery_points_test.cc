// recovery_points: every_hours, the short every_seconds interval, keep, and where the policy was written.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;
using testing_util::HasDiagnostic;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;
using testing_util::WithServer;
using testing_util::Where;

const RecoveryPointPolicy& Policy(const LoadResult& result) {
  return result.spec.groups.at(0).servers.at(0).recovery_points;
}

TEST(RecoveryPointsTest, DefaultsWhenAbsent) {
  LoadResult result = LoadText(WithServer(""));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const RecoveryPointPolicy& p = Policy(result);
  EXPECT_EQ(p.every_hours, 1);
  EXPECT_EQ(p.every_seconds, 0);
  EXPECT_EQ(p.keep, 24);
  EXPECT_EQ(p.IntervalSeconds(), 3600);
  EXPECT_EQ(p.pos.file, "a.toml");
  EXPECT_EQ(p.pos.line, 0);
}

TEST(RecoveryPointsTest, EveryHours) {
  LoadResult result = LoadText(WithServer("recovery_points = { every_hours = 6, keep = 48 }\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  EXPECT_EQ(Policy(result).IntervalSeconds(), 6 * 3600);
  EXPECT_EQ(Policy(result).keep, 48);
  EXPECT_EQ(Where({Policy(result).pos, "", ""}), "a.toml:9:19");
}

TEST(RecoveryPointsTest, EverySecondsReplacesEveryHours) {
  LoadResult result = LoadText(WithServer("recovery_points = { every_seconds = 30, keep = 5 }\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  EXPECT_EQ(Policy(result).every_seconds, 30);
  EXPECT_EQ(Policy(result).IntervalSeconds(), 30);
  EXPECT_EQ(Policy(result).keep, 5);
}

TEST(RecoveryPointsTest, EverySecondsRange) {
  for (const char* ok : {"1", "86400"}) {
    LoadResult result =
        LoadText(WithServer(std::string("recovery_points = { every_seconds = ") + ok + " }\n"));
    EXPECT_TRUE(result.diagnostics.empty()) << ok << AllDiagnostics(result);
  }
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("recovery_points = { every_seconds = 0 }\n")), "a.toml:9:37",
                             "group.web.server.web-1.recovery_points.every_seconds",
                             "must be between 1 and 86400 (found 0)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("recovery_points = { every_seconds = 86401 }\n")),
                             "a.toml:9:37", "group.web.server.web-1.recovery_points.every_seconds",
                             "must be between 1 and 86400 (found 86401)"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("recovery_points = { every_seconds = \"30s\" }\n")),
                             "a.toml:9:37", "group.web.server.web-1.recovery_points.every_seconds",
                             "expected an integer, found a string"));
}

TEST(RecoveryPointsTest, BothIntervalsAreRefused) {
  LoadResult result =
      LoadText(WithServer("[group.server.recovery_points]\nevery_seconds = 30\nevery_hours = 2\nkeep = 3\n"));
  EXPECT_TRUE(OnlyDiagnostic(result, "a.toml:10:17", "group.web.server.web-1.recovery_points.every_seconds",
                             "cannot be combined with every_hours (a.toml:11:15): write one interval, "
                             "every_seconds replaces every_hours"));
  EXPECT_EQ(Where({Policy(result).pos, "", ""}), "a.toml:9:1");
}

TEST(RecoveryPointsTest, BothIntervalsEvenWhenOneIsOutOfRange) {
  LoadResult result = LoadText(WithServer("recovery_points = { every_hours = 0, every_seconds = 30 }\n"));
  ASSERT_EQ(result.diagnostics.size(), 2u) << AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:9:35", "group.web.server.web-1.recovery_points.every_hours",
                            "must be between 1 and 24 (found 0)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:9:54", "group.web.server.web-1.recovery_points.every_seconds",
                            "cannot be combined with every_hours (a.toml:9:35)"));
}

TEST(RecoveryPointsTest, UnknownKeySuggestsEverySeconds) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("recovery_points = { every_second = 30 }\n")), "a.toml:9:21",
                             "group.web.server.web-1.recovery_points.every_second",
                             "unknown key `every_second`, did you mean `every_seconds`?"));
}

}  // namespace
}  // namespace cdr::specs
