// `cdr status` with a live view: the agents' states, progress and RPO over the stored ones, the NBD URIs and
// where the shadow keeps each replica; stored values (marked) when an agent does not answer.
#include <gtest/gtest.h>

#include "reconcile/refresh.h"
#include "reconcile/status_report.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile::test_util {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

class StatusLiveTest : public ReconcileTest {
 protected:
  void SetUp() override {
    ReconcileTest::SetUp();
    Converge(GroupToml("web", ServerToml("web-1", "host-1", "replication = \"running\"\n") +
                                  ServerToml("web-2", "host-2")));
  }
  std::vector<GroupStatus> Live() {
    const auto records = store_->Resources();
    auto observed = Refresh(fake_, records, {}, agents_.Connector());
    EXPECT_TRUE(observed.ok()) << observed.status().ToString();
    return BuildStatus(records, observed.ok() ? &*observed : nullptr);
  }
  static json ServerJson(const std::vector<GroupStatus>& groups, int i) {
    return StatusToJson(groups)["groups"][0]["servers"][i];
  }
};

TEST_F(StatusLiveTest, ShowsTheAgentsStateExportsAndReplicaFiles) {
  agents_["host-1"].lag_seconds = 2.5;
  const auto groups = Live();
  const json web1 = ServerJson(groups, 0);
  EXPECT_EQ(web1["state"], "realtime");
  EXPECT_EQ(web1["phase"], "realtime");
  EXPECT_EQ(web1["live"], true);
  EXPECT_DOUBLE_EQ(web1["rpo_seconds"].get<double>(), 2.5);
  EXPECT_TRUE(web1["progress_percent"].is_null()) << "no sync or repair under way";
  EXPECT_EQ(web1["rpo_live"], true);
  EXPECT_EQ(web1["nbd_uris"], json::array({"nbd://agent-nbd:host-1/vda"}));
  EXPECT_EQ(web1["api_address"], "agent-api:host-1");
  const std::string shadow = Record("group.web.server.web-1.shadow_host").provider_id;
  EXPECT_EQ(web1["shadow_host_id"], shadow);
  EXPECT_EQ(web1["replicas"][0]["path"], "/replicas/" + shadow + "/host-1/vda.img");
  const json web2 = ServerJson(groups, 1);
  EXPECT_EQ(web2["state"], "initialized");
  EXPECT_EQ(web2["phase"], "none");
  EXPECT_TRUE(web2["rpo_seconds"].is_null());
  EXPECT_EQ(groups[0].healthy, 1);
  EXPECT_EQ(groups[0].not_replicating, 1);
}

TEST_F(StatusLiveTest, LiveLagAboveTheThresholdIsRpoHigh) {
  agents_["host-1"].lag_seconds = 95;
  const auto groups = Live();
  EXPECT_EQ(groups[0].rpo_high, 1);
  EXPECT_EQ(ServerJson(groups, 0)["health"], "rpo_high");
}

TEST_F(StatusLiveTest, AgentThatDoesNotAnswerShowsTheStoredStateMarked) {
  agents_["host-1"].reachable = false;
  const auto groups = Live();
  const json web1 = ServerJson(groups, 0);
  EXPECT_EQ(web1["live"], false);
  EXPECT_EQ(web1["state"], "realtime") << "the stored state";
  EXPECT_THAT(web1["observe_error"].get<std::string>(), HasSubstr("does not answer"));
  EXPECT_EQ(web1["health"], "unknown") << "never the stored healthy";
  EXPECT_EQ(groups[0].healthy, 0);
  EXPECT_THAT(RenderStatusText(groups),
              HasSubstr("NOT LIVE (Unavailable: agent of host-1 does not answer): stored state as of "));
}

TEST_F(StatusLiveTest, StoppedAgentProcessIsShownAsSuch) {
  fake_.StopAgentOutOfBand("host-1");
  const auto groups = Live();
  EXPECT_EQ(ServerJson(groups, 0)["agent_status"], "stopped");
  EXPECT_EQ(ServerJson(groups, 0)["health"], "error");
  EXPECT_THAT(RenderStatusText(groups), HasSubstr("NOT LIVE (agent not running: nothing is replicated)"));
}

}  // namespace
}  // namespace cdr::reconcile::test_util
