// InstallAgent's checks on the host, before any process is involved.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/json_file.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"
#include "tests/providers/temp_cloud.h"

namespace cdr::providers::local {
namespace {

using ::testing::HasSubstr;

class LocalAgentsTest : public test_util::LocalCloudTest {
 protected:
  void SetUp() override {
    LocalCloudTest::SetUp();
    provider_ = InitAndOpen(/*hosts=*/1);
    ASSERT_NE(provider_, nullptr);
  }
  std::unique_ptr<LocalProvider> provider_;
};

TEST_F(LocalAgentsTest, InstallOnMissingHostIsNotFound) {
  auto agent = provider_->InstallAgent({.host_id = "ghost", .group = "web"});
  EXPECT_EQ(agent.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(agent.status().message(), HasSubstr("ghost"));
}

TEST_F(LocalAgentsTest, InstallOnStoppedHostNeedsOperator) {
  auto host = provider_->DescribeHost("host-1");
  ASSERT_TRUE(host.ok());
  host->power_state = "stopped";
  ASSERT_TRUE(
      WriteJsonFileAtomically(internal::HostFile(root_, "az1", "host-1"), internal::HostToJson(*host)).ok());
  auto agent = provider_->InstallAgent({.host_id = "host-1", .group = "web"});
  EXPECT_EQ(agent.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(agent.status().message(), HasSubstr("stopped"));
}

TEST_F(LocalAgentsTest, DescribeOrUninstallWithoutAgent) {
  EXPECT_EQ(provider_->DescribeAgent("host-1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(provider_->UninstallAgent("host-1").ok()) << "uninstalling a missing agent is Ok";
  EXPECT_EQ(provider_->DescribeAgent("../x").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cdr::providers::local
