// Issue #13 finding 8: zones, VPCs and hosts accepted "../../x", "/", NUL and newlines (a newline forged an
// "Error:" line, and apply failed half-way after creating the group), and `--spec /dev/zero` never returned.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::HasDiagnostic;
using testing_util::LoadText;

std::string Spec(const std::string& zone, const std::string& vpc, const std::string& host) {
  return "[[group]]\nname = \"web\"\nproduction_zone = \"" + zone + "\"\ndr_zone = \"az2\"\nvpc = \"" + vpc +
         "\"\n[[group.server]]\nname = \"web-1\"\nhost = \"" + host + "\"\n";
}

TEST(UntrustedInputTest, ZonesVpcsAndHostsThatAreNotOnePathComponentAreRefusedWithTheirPosition) {
  for (const std::string bad : {"../../x", "/", "a/b", "\\u0000", "a\\nError: forged", "a\\u0007", ".."}) {
    LoadResult zone = LoadText(Spec(bad, "vpc-web", "host-1"));
    EXPECT_TRUE(HasDiagnostic(zone, "a.toml:3:19", "group.web.production_zone", "invalid production_zone"))
        << bad;
    LoadResult vpc = LoadText(Spec("az1", bad, "host-1"));
    EXPECT_TRUE(HasDiagnostic(vpc, "a.toml:5:7", "group.web.vpc", "invalid vpc")) << bad;
    LoadResult host = LoadText(Spec("az1", "vpc-web", bad));
    EXPECT_TRUE(HasDiagnostic(host, "a.toml:8:8", "group.web.server.web-1.host", "invalid host")) << bad;
    for (const Diagnostic& d : host.diagnostics) {
      EXPECT_EQ(FormatDiagnostic(d).find('\n'), std::string::npos) << "a newline reached the output";
    }
  }
  EXPECT_TRUE(LoadText(Spec("az1", "vpc-web", "host-1")).diagnostics.empty());
}

TEST(UntrustedInputTest, ASpecFileOverTheSizeLimitIsRefusedAtOnce) {
  LoadResult zero = LoadSpec("/dev/zero");
  ASSERT_EQ(zero.diagnostics.size(), 1u);
  EXPECT_NE(zero.diagnostics[0].message.find("larger than 4 MiB"), std::string::npos)
      << FormatDiagnostic(zero.diagnostics[0]);
}

}  // namespace
}  // namespace cdr::specs
