// [group.server.failback]: read and validated (restore_to_original, cutover, and a new production host's launch
// fields) so the plan can answer it (tests/reconcile/failback_test.cc).
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

TEST(FailbackTest, RestoreToANewHostTakesItsLaunchFields) {
  LoadResult result = LoadText(WithServer("[group.server.failback]\nrestore_to_original = false\nname = \"web1-new\"\n"
                                          "flavor = \"c4m8\"\nip = \"10.0.0.9\"\n"));
  ASSERT_TRUE(result.diagnostics.empty()) << AllDiagnostics(result);
  const FailbackSpec& f = *result.spec.groups.at(0).servers.at(0).failback;
  EXPECT_FALSE(f.restore_to_original);
  EXPECT_EQ(f.name, "web1-new");
  EXPECT_EQ(f.flavor, "c4m8");
  EXPECT_EQ(f.ip, "10.0.0.9");
}

TEST(FailbackTest, ANewHostNeedsANameAndOnlyANewHostTakesOne) {
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.failback]\nrestore_to_original = false\n")),
                             "a.toml:9:1", "group.web.server.web-1.failback.name", "give it a name"));
  EXPECT_TRUE(OnlyDiagnostic(LoadText(WithServer("[group.server.failback]\nname = \"web1-new\"\n")), "a.toml:10:8",
                             "group.web.server.web-1.failback.name", "set restore_to_original = false"));
  EXPECT_TRUE(OnlyDiagnostic(
      LoadText(WithServer("[group.server.failback]\nrestore_to_original = false\nname = \"web1-new\"\nip = \"x\"\n")),
      "a.toml:12:6", "group.web.server.web-1.failback.ip", "must be `dhcp` or an IPv4 host address"));
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
