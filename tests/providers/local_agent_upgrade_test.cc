// UpgradeAgent with the real agent builds: the versions offered (the two builds, and cloud.json's extras), an
// unoffered version refused before anything is stopped, and an upgrade to cdr-agent-next that keeps the host's
// token, NBD export and state dir while another process (the new program) serves them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "providers/local/internal/layout.h"
#include "providers/local/internal/process_probe.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"
#include "tests/providers/process_cloud.h"

namespace cdr::providers::local {
namespace {

using ::testing::HasSubstr;

class LocalAgentUpgradeTest : public test_util::ProcessCloudTest {
 protected:
  internal::AgentRecord Record() {
    auto record = internal::ReadAgent(internal::AgentFile(root_, "host-1"));
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return record.ok() ? *record : internal::AgentRecord{};
  }
  std::string Next() {
    auto versions = provider_->ListAgentVersions();
    EXPECT_TRUE(versions.ok());
    for (const auto& v : versions->offered) {
      if (v != versions->default_version) return v;
    }
    return "";
  }
};

TEST_F(LocalAgentUpgradeTest, OffersBothBuildsAndTheCloudsExtras) {
  auto versions = provider_->ListAgentVersions();
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->offered.size(), 2u);
  EXPECT_EQ(versions->default_version, versions->offered.front());

  nlohmann::json cloud = nlohmann::json::parse(std::ifstream(internal::CloudFile(root_)));
  cloud["agent_versions"] = {{"9.0.0", "cdr-agent-9"}};
  std::ofstream(internal::CloudFile(root_)) << cloud.dump();
  auto reopened = LocalProvider::Open(root_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->ListAgentVersions()->offered.back(), "9.0.0");

  cloud["agent_versions"] = {{"9.0.0", "../bin/sh"}};
  std::ofstream(internal::CloudFile(root_)) << cloud.dump();
  auto refused = LocalProvider::Open(root_);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("must start with cdr-agent"));
}

TEST_F(LocalAgentUpgradeTest, UpgradeRunsTheNextBuildOnTheSameStateAndRefusesUnofferedVersions) {
  auto installed = provider_->InstallAgent({.host_id = "host-1", .group = "web"});
  ASSERT_TRUE(installed.ok()) << installed.status().ToString();
  const int old_pid = Record().pid;

  auto unoffered = provider_->UpgradeAgent({.host_id = "host-1", .version = "7.7.7"});
  ASSERT_EQ(unoffered.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(unoffered.status().message(), HasSubstr("it offers " + installed->version + ", " + Next()));
  EXPECT_EQ(Record().pid, old_pid);
  EXPECT_TRUE(internal::IsAlive(old_pid)) << "nothing is stopped for a version that is not offered";

  auto upgraded = provider_->UpgradeAgent({.host_id = "host-1", .version = Next()});
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().ToString();
  EXPECT_EQ(upgraded->version, Next());
  EXPECT_EQ(upgraded->status, "running");
  EXPECT_EQ(upgraded->api_token, installed->api_token);
  const internal::AgentRecord record = Record();
  EXPECT_EQ(record.program, "cdr-agent-next");
  EXPECT_NE(record.pid, old_pid);
  EXPECT_TRUE(test_util::PollUntil([&] { return !internal::IsAlive(old_pid); }));
  EXPECT_TRUE(internal::IsOurProcess(record.pid, "cdr-agent-next",
                                     internal::AgentReadyFile(canonical_root_, "host-1").string()));
  EXPECT_EQ(provider_->DescribeAgent("host-1")->status, "running");

  // The same version again changes nothing; `cdr local down` stops the new program too.
  auto again = provider_->UpgradeAgent({.host_id = "host-1", .version = Next()});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Record().pid, record.pid);
  provider_->StopAllProcesses();
  EXPECT_FALSE(internal::IsAlive(record.pid));
  EXPECT_EQ(provider_->DescribeAgent("host-1")->status, "stopped");
}

}  // namespace
}  // namespace cdr::providers::local
