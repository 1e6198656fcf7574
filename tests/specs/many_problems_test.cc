// Validation reports every problem of a spec in one pass, like Terraform diagnostics.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::HasDiagnostic;

constexpr char kBroken[] = R"([provider]
type = "aws"

[quota]
agents = 300

[[group]]
name = "web"
production_zone = "az1"
dr_zone = "az1"
vpc = ""
rpo_alert_secs = 10

[[group.server]]
name = "web_1"
host = "h1"
replication = "paused"
recovery_points = { every_hours = 0, keep = 48 }

[[group.server]]
name = "web-2"
host = "h1"
dr_disk_type = 3

[[group]]
name = "web"
production_zone = "az1"
dr_zone = "az2"
)";

TEST(ManyProblemsTest, AllReportedAtOnceInOrder) {
  LoadResult result = testing_util::LoadText(kBroken, "specs/broken.toml");
  const std::vector<std::string> expected = {
      "specs/broken.toml:2:8: provider.type: unsupported provider type `aws`: use `local` (embedded) or `http` (a "
      "provider program, with url and token_file)",
      "specs/broken.toml:5:10: quota.agents: must be between 1 and 200 (found 300)",
      "specs/broken.toml:10:11: group.web.dr_zone: must differ from production_zone (both are `az1`): the DR "
      "copy "
      "must survive the loss of the production zone",
      "specs/broken.toml:11:7: group.web.vpc: must not be empty",
      "specs/broken.toml:12:1: group.web.rpo_alert_secs: unknown key `rpo_alert_secs`, did you mean "
      "`rpo_alert_seconds`?",
      "specs/broken.toml:15:8: group.web.server[0].name: invalid server name `web_1` (it becomes the DR host "
      "name): bad character '_' (allowed: letters, digits and '-')",
      "specs/broken.toml:17:15: group.web.server[0].replication: unknown value `paused`: must be `running` "
      "or "
      "`stopped`",
      "specs/broken.toml:18:35: group.web.server[0].recovery_points.every_hours: must be between 1 and 24 "
      "(found 0)",
      "specs/broken.toml:22:8: group.web.server.web-2.host: host `h1` is already protected by "
      "group.web.server[0] (specs/broken.toml:16:8); a host can be protected once",
      "specs/broken.toml:23:16: group.web.server.web-2.dr_disk_type: expected a string, found an integer",
      "specs/broken.toml:25:1: group.web.vpc: missing required key `vpc`",
      "specs/broken.toml:26:8: group.web.name: duplicate group name `web` (first declared at "
      "specs/broken.toml:8:8)",
  };
  std::vector<std::string> got;
  for (const Diagnostic& d : result.diagnostics) got.push_back(FormatDiagnostic(d));
  EXPECT_EQ(got, expected);
  EXPECT_EQ(result.diagnostics.size(), 12u);
  EXPECT_TRUE(HasDiagnostic(result, "specs/broken.toml:26:8", "group.web.name", "duplicate"));
}

}  // namespace
}  // namespace cdr::specs
