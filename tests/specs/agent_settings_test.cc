// The agent settings of [[group.server]] (docs/spec.md#agent-settings): parsed values, absent = unset, and
// one diagnostic with position, path and bounds per bad value.
#include <gtest/gtest.h>

#include "specs/load_spec.h"
#include "tests/specs/spec_test_util.h"

namespace cdr::specs {
namespace {

using testing_util::HasDiagnostic;
using testing_util::LoadText;

// testing_util::kOneServerSpec is lines 1–8; tests append from line 9.
const std::string kOneServer = testing_util::kOneServerSpec;

TEST(AgentSettingsSpecTest, ParsesEveryKey) {
  LoadResult result = LoadText(std::string(kOneServer) +
                               "replication_mode = \"sync\"\nreplication_rate_mib = 40\n"
                               "outage_window_seconds = 600\njournal_max_mib = 2048\n");
  ASSERT_TRUE(result.diagnostics.empty()) << testing_util::AllDiagnostics(result);
  const AgentSettingsSpec& a = result.spec.groups[0].servers[0].agent_settings;
  EXPECT_EQ(a.replication_mode, "sync");
  EXPECT_EQ(a.replication_rate_mib, 40);
  EXPECT_EQ(a.outage_window_seconds, 600);
  EXPECT_EQ(a.journal_max_mib, 2048);
}

TEST(AgentSettingsSpecTest, AbsentKeysAreUnset) {
  LoadResult result = LoadText(kOneServer);
  ASSERT_TRUE(result.diagnostics.empty()) << testing_util::AllDiagnostics(result);
  const AgentSettingsSpec& a = result.spec.groups[0].servers[0].agent_settings;
  EXPECT_FALSE(a.replication_mode || a.replication_rate_mib || a.outage_window_seconds || a.journal_max_mib);
}

TEST(AgentSettingsSpecTest, EveryBadValueIsReportedWithItsPositionAndBounds) {
  LoadResult result = LoadText(std::string(kOneServer) +
                               "replication_mode = \"fast\"\nreplication_rate_mib = -1\n"
                               "outage_window_seconds = 5\njournal_max_mib = \"1G\"\n");
  ASSERT_EQ(result.diagnostics.size(), 4u) << testing_util::AllDiagnostics(result);
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:9:20", "group.web.server.web-1.replication_mode", "async"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:10:24", "group.web.server.web-1.replication_rate_mib",
                            "must be between 0 and 100000 (found -1)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:11:25", "group.web.server.web-1.outage_window_seconds",
                            "must be between 10 and 86400 (found 5)"));
  EXPECT_TRUE(HasDiagnostic(result, "a.toml:12:19", "group.web.server.web-1.journal_max_mib",
                            "expected an integer, found a string"));
}

}  // namespace
}  // namespace cdr::specs
