// [group.server.failback]: read and validated so the plan can answer it (the plan refuses it until failback is
// built, see tests/reconcile/failover_exits_test.cc).
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;
using testing_util::LoadText;
using testing_util::OnlyDiagnostic;
using testing_util::WithServer;

TEST(FailbackTest, RestoreToOriginalDefaultsToTrue) {
  LoadResult result = LoadText(WithServer("[group.server.failback]\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const ServerSpec& s = result.spec.groups.at(0).servers.at(0);
  ASSERT_TRUE(s.failback.has_value());
  EXPECT_TRUE(s.failback->restore_to_original);
  EXPECT_EQ(s.failback->pos.line, 9);
}

TEST(FailbackTest, RestoreToANewHost) {
  LoadResult result = LoadText(WithServer("[group.server.failback]\nrestore_to_original = false\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  EXPECT_FALSE(result.spec.groups.at(0).servers.at(0).failback->restore_to_original);
}

TEST(FailbackTest, BadValueAndUnknownKeyAreReportedWithPositions) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.failback]\nrestore_to_original = \"yes\"\n")),
                             "a.toml:10:23",
                             "group.web.server.web-1.failback.restore_to_original", "expected a boolean"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.failback]\nrestore_to_orignal = true\n")),
                             "a.toml:10:1",
                             "group.web.server.web-1.failback.restore_to_orignal",
                             "did you mean `restore_to_original`?"));
}

}  // namespace
}  // namespace cdr::specs
