// The group overview of `cdr status`, built from state records alone.
#include "reconcile/status_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/display_width.h"
#include "reconcile/server_state.h"
#include "tests/reconcile/reconcile_fixture.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

state::ResourceRecord Rec(const std::string& address, ResourceKind kind, const std::string& status,
                          json attributes = json::object(), const std::string& provider_id = "") {
  state::ResourceRecord r;
  r.address = address;
  r.kind = kind;
  r.status = status;
  r.attributes = std::move(attributes);
  r.provider_id = provider_id;
  return r;
}

json Server(const std::string& host, double rpo = -1, const std::string& last_error = "") {
  json a = {{"host", host}, {"replication", "running"}};
  if (rpo >= 0) a["rpo_seconds"] = rpo;
  if (!last_error.empty()) a["last_error"] = last_error;
  return a;
}

std::vector<state::ResourceRecord> Records() {
  return {
      Rec("group.db", ResourceKind::kGroup, "created",
          {{"production_zone", "az1"}, {"dr_zone", "az3"}, {"vpc", "vpc-db"}, {"rpo_alert_seconds", 10}}),
      Rec("group.db.server.db-1", ResourceKind::kServer, "full_sync", Server("h-db1")),
      Rec("group.web", ResourceKind::kGroup, "created",
          {{"production_zone", "az1"}, {"dr_zone", "az2"}, {"vpc", "vpc-web"}, {"rpo_alert_seconds", 30}}),
      Rec("group.web.endpoint", ResourceKind::kEndpoint, "created", {}, "vpce-1"),
      Rec("group.web.peering", ResourceKind::kPeering, "created", {}, "pcx-1"),
      Rec("group.web.server.w1", ResourceKind::kServer, "realtime", Server("h1", 5)),
      Rec("group.web.server.w2", ResourceKind::kServer, "realtime", Server("h2", 120)),
      Rec("group.web.server.w3", ResourceKind::kServer, "replication_error",
          Server("h3", -1, "journal overflow")),
      Rec("group.web.server.w4", ResourceKind::kServer, "initialized", Server("h4")),
      Rec("group.web.server.w5", ResourceKind::kServer, "agent_install_failed", Server("h5", -1, "timeout")),
      Rec("group.gone.server.orphan", ResourceKind::kServer, "realtime", Server("h9", 1)),  // no group record
  };
}

constexpr int64_t kNow = 1'800'000'000'000;  // ms

// What a refresh hears from a running agent, one disk.
ServerObservation Live(const std::string& state, double lag, bool link_up = true) {
  ServerObservation seen;
  seen.agent = providers::Agent{};
  seen.agent->status = "running";
  agent::AgentStatus status;
  status.state = state;
  status.lag_seconds = lag;
  agent::DiskReplicationStatus disk;
  disk.disk = "vda";
  disk.state = state;
  disk.size_bytes = 1 << 20;
  disk.progress_percent = state == "full_sync" ? 40 : 100;
  disk.bytes_sent = 7000;
  disk.full_sync_bytes_sent = 4000;
  disk.lag_seconds = lag;
  disk.link_up = link_up;
  status.disks.push_back(disk);
  seen.status = status;
  return seen;
}

TEST(StatusReportTest, WithoutALiveAnswerNothingIsHealthy) {
  std::vector<GroupStatus> groups = BuildStatus(Records(), nullptr, kNow);
  ASSERT_EQ(groups.size(), 2u);
  const GroupStatus& db = groups[0];
  EXPECT_EQ(db.name, "db");
  EXPECT_EQ(db.dr_zone, "az3");
  EXPECT_EQ(db.rpo_alert_seconds, 10);
  EXPECT_EQ(db.unknown, 1);  // full_sync stored: whether it still syncs is not known
  EXPECT_EQ(db.healthy + db.error + db.rpo_high + db.not_replicating, 0);
  EXPECT_EQ(db.peering_id, "");

  const GroupStatus& web = groups[1];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.vpc, "vpc-web");
  EXPECT_EQ(web.peering_id, "pcx-1");
  EXPECT_EQ(web.endpoint_id, "vpce-1");
  EXPECT_EQ(web.healthy, 0);
  EXPECT_EQ(web.rpo_high, 0);
  EXPECT_EQ(web.unknown, 2);
  EXPECT_EQ(web.error, 2);
  EXPECT_EQ(web.not_replicating, 1);
  ASSERT_EQ(web.servers.size(), 5u);
  EXPECT_EQ(web.servers[0].name, "w1");
  EXPECT_EQ(web.servers[0].health, Health::kUnknown);
  EXPECT_EQ(web.servers[0].health_reason, "not observed live");
  EXPECT_FALSE(web.servers[0].rpo_live);
  EXPECT_EQ(web.servers[2].health, Health::kError);
  EXPECT_EQ(web.servers[2].last_error, "journal overflow");
  EXPECT_EQ(web.servers[3].state, "initialized");
  EXPECT_EQ(web.servers[3].health, Health::kNotReplicating);
  EXPECT_EQ(web.servers[3].rpo_seconds, -1);
  EXPECT_EQ(web.servers[3].host, "h4");
}

TEST(StatusReportTest, StoredRpoIsTheGrowingAgeOfTheLastGoodMoment) {
  auto records = Records();
  records[5].attributes["observed"] = {{"observed_at", kNow - 60'000}, {"replicated_through", kNow - 65'000}};
  auto groups = BuildStatus(records, nullptr, kNow);
  const ServerStatus& w1 = groups[1].servers[0];
  EXPECT_DOUBLE_EQ(w1.rpo_seconds, 65.0);
  EXPECT_FALSE(w1.rpo_live);
  EXPECT_EQ(w1.observed_at_ms, kNow - 60'000);
  groups = BuildStatus(records, nullptr, kNow + 10'000);
  EXPECT_DOUBLE_EQ(groups[1].servers[0].rpo_seconds, 75.0);
  const std::string text = RenderStatusText(groups);
  EXPECT_THAT(text, HasSubstr("<=75.0s"));
  EXPECT_THAT(text, HasSubstr("NOT LIVE (not observed live): stored state as of "));
}

TEST(StatusReportTest, LiveAnswersClassifyHealth) {
  Observed live;
  live.servers["group.web.server.w1"] = Live("realtime", 5);
  live.servers["group.web.server.w2"] = Live("realtime", 120);
  live.servers["group.web.server.w3"] = Live("realtime", 0, /*link_up=*/false);  // recovered, but the link is down
  ServerObservation stopped_agent;
  stopped_agent.agent = providers::Agent{};
  stopped_agent.agent->status = "stopped";
  live.servers["group.db.server.db-1"] = stopped_agent;
  auto groups = BuildStatus(Records(), &live, kNow);
  const GroupStatus& web = groups[1];
  EXPECT_EQ(web.servers[0].health, Health::kHealthy);
  EXPECT_TRUE(web.servers[0].rpo_live);
  EXPECT_DOUBLE_EQ(web.servers[0].rpo_seconds, 5);
  EXPECT_EQ(web.servers[0].bytes_sent, 7000u);  // every byte sent, not only the full sync's
  EXPECT_EQ(web.servers[0].progress_percent, -1);
  EXPECT_EQ(web.servers[1].health, Health::kRpoHigh);
  EXPECT_EQ(web.servers[2].health, Health::kError);
  EXPECT_EQ(web.servers[2].health_reason, "replication link down: the shadow host does not answer");
  EXPECT_EQ(web.servers[2].last_error, "");  // the stored error is over: the agent says realtime
  const ServerStatus& db1 = groups[0].servers[0];
  EXPECT_EQ(db1.health, Health::kError);
  EXPECT_EQ(db1.health_reason, "agent not running: nothing is replicated");
}

TEST(StatusReportTest, AnAgentThatDoesNotAnswerIsUnknown) {
  Observed live;
  ServerObservation silent;
  silent.agent = providers::Agent{};
  silent.agent->status = "running";
  silent.status_error = "Unavailable: connection refused";
  live.servers["group.web.server.w1"] = silent;
  auto groups = BuildStatus(Records(), &live, kNow);
  EXPECT_EQ(groups[1].servers[0].health, Health::kUnknown);
  EXPECT_EQ(groups[1].servers[0].health_reason, "Unavailable: connection refused");
  EXPECT_EQ(groups[1].servers[0].state, "realtime");
}

TEST(StatusReportTest, FullSyncHasProgressButNoRpo) {
  Observed live;
  live.servers["group.db.server.db-1"] = Live("full_sync", 3);
  auto groups = BuildStatus(Records(), &live, kNow);
  const ServerStatus& db1 = groups[0].servers[0];
  EXPECT_EQ(db1.rpo_seconds, -1);
  EXPECT_DOUBLE_EQ(db1.progress_percent, 40);
  EXPECT_EQ(db1.health, Health::kNotReplicating);
}

TEST(StatusReportTest, StoppedServerShowsItsBacklog) {
  Observed live;
  ServerObservation seen = Live("realtime_stopped", 0);
  seen.status->disks[0].backlog_known = true;
  seen.status->disks[0].backlog_writes = 12;
  seen.status->disks[0].backlog_bytes = 48 * 1024;
  seen.status->disks[0].backlog_age_seconds = 31.5;
  live.servers["group.web.server.w1"] = seen;
  auto groups = BuildStatus(Records(), &live, kNow);
  const ServerStatus& w1 = groups[1].servers[0];
  EXPECT_EQ(w1.health, Health::kNotReplicating);
  ASSERT_TRUE(w1.backlog);
  EXPECT_EQ(w1.backlog->writes, 12u);
  EXPECT_DOUBLE_EQ(w1.rpo_seconds, 31.5);
  EXPECT_EQ(w1.progress_percent, -1);
  EXPECT_THAT(RenderStatusText(groups), HasSubstr("12 writes (48.0 KiB) not sent, oldest 32s old"));
  json j = StatusToJson(groups);
  EXPECT_EQ(j["groups"][1]["servers"][0]["backlog"], (json{{"writes", 12}, {"bytes", 48 * 1024}, {"age_seconds", 31.5}}));
}

TEST(StatusReportTest, TextAndJson) {
  Observed live;
  live.servers["group.web.server.w1"] = Live("realtime", 5);
  live.servers["group.web.server.w2"] = Live("realtime", 120);
  std::vector<GroupStatus> groups = BuildStatus(Records(), &live, kNow);
  const std::string text = RenderStatusText(groups);
  EXPECT_THAT(text, HasSubstr("group web (peering pcx-1, endpoint vpce-1, RPO alert 30s)"));
  EXPECT_THAT(text, HasSubstr("group db (peering -, endpoint -, RPO alert 10s)"));
  EXPECT_THAT(text, HasSubstr("realtime 实时复制中"));
  EXPECT_THAT(text, HasSubstr("journal overflow"));
  EXPECT_THAT(text, HasSubstr("cdr apply starts replication"));
  EXPECT_THAT(text, HasSubstr("UNKNOWN"));
  EXPECT_THAT(text, Not(HasSubstr("orphan")));

  json j = StatusToJson(groups);
  EXPECT_EQ(j["format_version"], "1");
  ASSERT_EQ(j["groups"].size(), 2u);
  const json& web = j["groups"][1];
  EXPECT_EQ(web["health"],
            (json{{"error", 2}, {"healthy", 1}, {"not_replicating", 1}, {"rpo_high", 1}, {"unknown", 0}}));
  EXPECT_EQ(web["servers"][1]["health"], "rpo_high");
  EXPECT_EQ(web["servers"][1]["rpo_seconds"], 120.0);
  EXPECT_EQ(web["servers"][1]["rpo_live"], true);
  EXPECT_TRUE(web["servers"][3]["rpo_seconds"].is_null());
  EXPECT_TRUE(web["servers"][3]["progress_percent"].is_null());
  EXPECT_EQ(web["servers"][4]["last_error"], "timeout");
}

// Every server row's PHASE cell starts at the display column of the header's PHASE, whatever the width of the
// Chinese state names before it (agent_install_failed 客户端安装失败 is the widest).
TEST(StatusReportTest, ColumnsStayInLineWithChineseStateNames) {
  std::vector<GroupStatus> groups = BuildStatus(Records());
  const std::string text = RenderStatusText(groups);
  const size_t web_at = text.find("group web (");  // each group's table has its own widths
  auto line_with = [&](const std::string& needle) {
    const size_t at = text.find(needle, web_at);
    const size_t start = text.rfind('\n', at) + 1;
    return text.substr(start, text.find('\n', at) - start);
  };
  const std::string header = line_with("  SERVER");
  const size_t phase_column = DisplayWidth(header.substr(0, header.find("PHASE")));
  ASSERT_EQ(groups[1].name, "web");
  ASSERT_EQ(groups[1].servers.size(), 5u);
  for (const auto& server : groups[1].servers) {
    const std::string state = server.state + " " + std::string(OriginalStateName(server.state));
    const std::string row = line_with("  " + server.name + " ");
    const size_t cell = row.find_first_not_of(' ', row.find(state) + state.size());
    EXPECT_EQ(DisplayWidth(row.substr(0, cell)), phase_column) << row << "\n" << text;
  }
  EXPECT_THAT(text, HasSubstr("agent_install_failed 客户端安装失败 "));
}

TEST(StatusReportTest, VerificationCutShortWithItsApplyIsShownInterrupted) {
  std::vector<state::ResourceRecord> records = Records();
  records.push_back(Rec("group.web.server.w1.drill", ResourceKind::kDrHost, "created",
                        {{"purpose", "drill"},
                         {"name", "web1-drill"},
                         {"verify", "checksum"},
                         {"verification", {{"kind", "checksum"}, {"result", "running"}}}},
                        "dr-1"));
  std::vector<GroupStatus> groups = BuildStatus(records);
  EXPECT_THAT(RenderStatusText(groups), HasSubstr("verify checksum: running"));
  MarkInterruptedVerifications(&groups);
  const std::string text = RenderStatusText(groups);
  EXPECT_THAT(text, HasSubstr("verify checksum: interrupted (the apply running it stopped"));
  EXPECT_THAT(text, Not(HasSubstr(": running")));
  EXPECT_THAT(StatusToJson(groups).dump(), HasSubstr("\"result\":\"interrupted\""));
}

TEST(StatusReportTest, EmptyState) {
  EXPECT_TRUE(BuildStatus({}).empty());
  EXPECT_THAT(RenderStatusText({}), HasSubstr("No protection groups in the state"));
  EXPECT_EQ(StatusToJson({})["groups"], json::array());
}

class StatusAfterApplyTest : public test_util::ReconcileTest {};

TEST_F(StatusAfterApplyTest, AppliedGroupShowsItsServers) {
  Converge(test_util::WebSpec());
  std::vector<GroupStatus> groups = BuildStatus(store_->Resources());
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].servers.size(), 2u);
  EXPECT_EQ(groups[0].not_replicating, 2);
  EXPECT_EQ(groups[0].rpo_alert_seconds, 30);
  EXPECT_EQ(groups[0].peering_id, Record("group.web.peering").provider_id);
  EXPECT_FALSE(groups[0].peering_id.empty());
}

}  // namespace
}  // namespace cdr::reconcile
