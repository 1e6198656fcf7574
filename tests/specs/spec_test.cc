#include "specs/spec.h"

#include <gtest/gtest.h>

namespace cdr::specs {
namespace {

TEST(FormatDiagnosticTest, FileLineColumnPathMessage) {
  Diagnostic d{
      {"specs/web.toml", 12, 8}, "group.web-prod.server.web-1.recovery_points.keep", "must be small"};
  EXPECT_EQ(FormatDiagnostic(d),
            "specs/web.toml:12:8: group.web-prod.server.web-1.recovery_points.keep: must be small");
}

TEST(FormatDiagnosticTest, OmitsUnknownLineAndEmptyPath) {
  EXPECT_EQ(FormatDiagnostic({{"specs", 0, 0}, "", "no such file or directory"}),
            "specs: no such file or directory");
  EXPECT_EQ(FormatDiagnostic({{"a.toml", 0, 0}, "quota", "x"}), "a.toml: quota: x");
}

TEST(ReplicationNameTest, NamesAsWrittenInTheSpec) {
  EXPECT_STREQ(ReplicationName(Replication::kRunning), "running");
  EXPECT_STREQ(ReplicationName(Replication::kStopped), "stopped");
  EXPECT_EQ(ParseReplication("running"), Replication::kRunning);
  EXPECT_EQ(ParseReplication("stopped"), Replication::kStopped);
  EXPECT_EQ(ParseReplication("paused"), std::nullopt);
}

TEST(ProviderTypeTest, NamesAsWrittenInTheSpec) {
  EXPECT_STREQ(ProviderTypeName(ProviderType::kLocal), "local");
  EXPECT_STREQ(ProviderTypeName(ProviderType::kHttp), "http");
  EXPECT_EQ(ParseProviderType("http"), ProviderType::kHttp);
  EXPECT_EQ(ParseProviderType("aws"), std::nullopt);
}

}  // namespace
}  // namespace cdr::specs
