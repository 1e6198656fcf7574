// StopAllProcesses / StartAllProcesses (`cdr local down` / `up`) with real agents and shadows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "providers/local/internal/layout.h"
#include "providers/local/internal/process_probe.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"
#include "tests/providers/process_cloud.h"

namespace cdr::providers::local {
namespace {

using ::testing::Field;
using ::testing::UnorderedElementsAre;

class LocalProcessesTest : public test_util::ProcessCloudTest {
 protected:
  void SetUp() override {
    ProcessCloudTest::SetUp();
    ASSERT_TRUE(provider_->InstallAgent({.host_id = "host-1", .group = "web"}).ok());
    auto shadow = provider_->CreateShadowHost({.client_token = "tok",
                                               .name = "shadow-host-1",
                                               .zone = "az2",
                                               .vpc = "vpc-prod",
                                               .server_id = "host-1",
                                               .disk_type = "sas"});
    ASSERT_TRUE(shadow.ok()) << shadow.status().ToString();
    shadow_id_ = shadow->id;
  }

  int AgentPid() {
    auto r = internal::ReadAgent(internal::AgentFile(root_, "host-1"));
    return r.ok() ? r->pid : 0;
  }
  int ShadowPid() {
    auto r = internal::ReadShadow(internal::ShadowFile(root_, shadow_id_));
    return r.ok() ? r->pid : 0;
  }

  std::string shadow_id_;
};

TEST_F(LocalProcessesTest, DownStopsEveryProcessAndUpStartsThemAgain) {
  const int agent_pid = AgentPid();
  const int shadow_pid = ShadowPid();

  const std::vector<ProcessChange> down = provider_->StopAllProcesses();
  ASSERT_EQ(down.size(), 2u);
  for (const auto& change : down)
    EXPECT_TRUE(change.status.ok()) << change.id << ": " << change.status.ToString();
  EXPECT_THAT(down, UnorderedElementsAre(Field(&ProcessChange::pid, agent_pid),
                                         Field(&ProcessChange::pid, shadow_pid)));
  EXPECT_THAT(down, ::testing::Each(Field(&ProcessChange::outcome, "stopped")));
  EXPECT_FALSE(internal::IsAlive(agent_pid));
  EXPECT_FALSE(internal::IsAlive(shadow_pid));
  EXPECT_EQ(provider_->DescribeAgent("host-1")->status, "stopped") << "the record stays";
  EXPECT_EQ(provider_->DescribeShadowHost(shadow_id_)->status, "stopped");

  const std::vector<ProcessChange> up = provider_->StartAllProcesses();
  ASSERT_EQ(up.size(), 2u);
  for (const auto& change : up) {
    EXPECT_TRUE(change.status.ok()) << change.id << ": " << change.status.ToString();
    EXPECT_EQ(change.outcome, "started");
    EXPECT_TRUE(test_util::Connects(change.address)) << change.kind << " " << change.id;
  }
  EXPECT_EQ(provider_->DescribeAgent("host-1")->status, "running");
  EXPECT_EQ(provider_->DescribeShadowHost(shadow_id_)->status, "running");
  EXPECT_NE(AgentPid(), agent_pid);

  const std::vector<ProcessChange> again = provider_->StartAllProcesses();
  EXPECT_THAT(again, ::testing::Each(Field(&ProcessChange::outcome, "already running")));
}

TEST_F(LocalProcessesTest, DownTwiceFindsNothingRunning) {
  provider_->StopAllProcesses();
  const std::vector<ProcessChange> second = provider_->StopAllProcesses();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_THAT(second, ::testing::Each(Field(&ProcessChange::outcome, "not running")));
}

}  // namespace
}  // namespace cdr::providers::local
