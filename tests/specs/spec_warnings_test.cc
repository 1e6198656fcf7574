// A valid spec that weakens the estate loads, and says so: `[provider] insecure = true` is a warning at its
// line.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::AllDiagnostics;
using testing_util::LoadText;
using testing_util::WithServer;

TEST(SpecWarningsTest, InsecureIsValidWithAWarningAtItsLine) {
  const LoadResult loaded = LoadText("[provider]\nroot = \"c\"\ninsecure = true\n" + WithServer(""));
  ASSERT_TRUE(loaded.diagnostics.empty()) << AllDiagnostics(loaded);
  EXPECT_TRUE(loaded.spec.provider.insecure);
  const std::vector<Diagnostic> warnings = SpecWarnings(loaded.spec);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(warnings[0])
                .rfind("a.toml:3:12: provider.insecure: replication runs over plain TCP", 0),
            0u)
      << FormatDiagnostic(warnings[0]);
}

TEST(SpecWarningsTest, TlsIsTheDefaultAndAWrongTypeIsAnError) {
  const LoadResult plain = LoadText(WithServer(""));
  ASSERT_TRUE(plain.diagnostics.empty()) << AllDiagnostics(plain);
  EXPECT_FALSE(plain.spec.provider.insecure);
  EXPECT_TRUE(SpecWarnings(plain.spec).empty());
  const LoadResult wrong = LoadText("[provider]\ninsecure = \"yes\"\n" + WithServer(""));
  EXPECT_NE(AllDiagnostics(wrong).find("provider.insecure"), std::string::npos) << AllDiagnostics(wrong);
}

}  // namespace
}  // namespace cdr::specs
