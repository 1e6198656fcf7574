// The ReplicationManager in-process, replicating real export stacks to a real cdr-shadow process.
#include "agent/replication_manager.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <vector>

#include "agent/export_stack.h"
#include "tests/agent/replication_manager_test_util.h"
#include "tests/support/tcp_proxy.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using cdr::testing::TcpProxy;
namespace fs = std::filesystem;
using cdr::testing::kMiB;

class ReplicationManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_ = tmp_ / "vda.img";
    replicas_ = tmp_ / "replicas";
  }
  void TearDown() override {
    manager_.reset();
    stack_.reset();
  }

  // Opens (or reopens, as a restarted agent would) the export stack and a manager on the same state dir.
  void OpenManager() {
    manager_.reset();
    if (stack_) {
      ASSERT_TRUE(stack_->CloseClean().ok());
    }
    stack_.reset();
    ExportConfig config;
    config.name = "vda";
    config.path = disk_;
    config.state_dir = tmp_ / "state";
    auto stack = ExportStack::Open(config);
    ASSERT_TRUE(stack.ok()) << stack.status().ToString();
    stack_ = std::move(*stack);
    auto manager = ReplicationManager::Open({tmp_ / "state", "127.0.0.1:10809"}, {{stack_.get(), disk_}});
    ASSERT_TRUE(manager.ok()) << manager.status().ToString();
    manager_ = std::move(*manager);
  }

  ReplicationTarget Target(const ShadowWithReadyFile& shadow, uint64_t rate_mib = 0) const {
    ReplicationTarget target;
    target.shadow_address = shadow.address();
    target.server_id = "web-1";
    target.rate_bytes_per_second = rate_mib * kMiB;
    return target;
  }

  AgentStatus Status() {
    Result<AgentStatus> s = manager_->GetStatus();
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : AgentStatus{};
  }
  bool StateIs(const std::string& state) { return Status().state == state; }

  // The replica has every journaled write and equals the disk.
  bool CaughtUp() {
    const AgentStatus s = Status();
    return s.state == "realtime" && s.disks[0].acked_seq == s.disks[0].journal_seq &&
           SameContents(disk_, ReplicaImage(replicas_, "web-1", "vda"));
  }

  TempDir tmp_;
  fs::path disk_, replicas_;
  std::unique_ptr<ExportStack> stack_;
  std::unique_ptr<ReplicationManager> manager_;
};

TEST_F(ReplicationManagerTest, StartReachesRealtimeAndWritesReachTheReplica) {
  MakeDisk(disk_, 16 * kMiB, 3 * kMiB, 1);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  EXPECT_EQ(shadow.reported_pid(), shadow.child().pid());
  OpenManager();
  AgentStatus before = Status();
  EXPECT_EQ(before.state, "initialized");
  EXPECT_EQ(before.nbd_address, "127.0.0.1:10809");
  ASSERT_EQ(before.disks.size(), 1u);
  EXPECT_EQ(before.disks[0].state, "initialized");
  EXPECT_EQ(before.disks[0].size_bytes, 16 * kMiB);

  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime"); })) << Status().state;
  const AgentStatus started = Status();
  EXPECT_EQ(started.server_id, "web-1");
  EXPECT_EQ(started.shadow_address, shadow.address());
  EXPECT_EQ(started.disks[0].full_sync_bytes_sent, 3 * kMiB);  // holes are skipped
  EXPECT_DOUBLE_EQ(started.disks[0].progress_percent, 100);

  std::vector<uint8_t> block(64 * 1024, 0x5a);
  ASSERT_TRUE(manager_->device(0)->Write(9 * kMiB, block, false).ok());
  EXPECT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().disks[0].acked_seq;
  EXPECT_GE(Status().disks[0].journal_seq, 1u);
}

TEST_F(ReplicationManagerTest, StopDuringFullSyncThenStartResumes) {
  constexpr uint64_t kData = 24 * kMiB;
  MakeDisk(disk_, 32 * kMiB, kData, 2);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  OpenManager();
  ASSERT_TRUE(manager_->Start(Target(shadow, /*rate_mib=*/4)).ok());
  ASSERT_TRUE(PollUntil([&] {
    const AgentStatus s = Status();
    return s.state == "full_sync" && s.disks[0].full_sync_bytes_sent >= 6 * kMiB;
  })) << Status().state;

  ASSERT_TRUE(manager_->Stop().ok());
  const std::string right_after = Status().state;
  EXPECT_TRUE(right_after == "full_sync_stopping" || right_after == "full_sync_stopped") << right_after;
  ASSERT_TRUE(PollUntil([&] { return StateIs("full_sync_stopped"); })) << Status().state;
  const uint64_t first_run = Status().disks[0].full_sync_bytes_sent;
  EXPECT_LT(first_run, kData);
  const Result<nlohmann::json> persisted = ReadJsonFile(tmp_ / "state/replication.json");
  ASSERT_TRUE(persisted.ok());
  EXPECT_EQ((*persisted)["desired"], "stopped");
  EXPECT_EQ((*persisted)["disks"]["vda"]["full_sync_done"], false);
  EXPECT_TRUE(manager_->Stop().ok()) << "stopping a stopped agent is Ok";

  // Another rate is another target: allowed while stopped, and the sync still resumes at the shadow's cursor.
  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;
  const uint64_t second_run = Status().disks[0].full_sync_bytes_sent - first_run;
  // What the shadow had not acknowledged at the stop may be sent again, never the whole disk.
  EXPECT_LE(second_run, kData - first_run + 2 * kMiB) << "first run " << first_run;
  EXPECT_LT(second_run, kData - 4 * kMiB) << "first run " << first_run;
}

TEST_F(ReplicationManagerTest, CommandsRefusedInTheWrongState) {
  MakeDisk(disk_, 8 * kMiB, kMiB, 3);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  OpenManager();
  EXPECT_EQ(manager_->Restart().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(manager_->Repair().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(manager_->Stop().ok());
  ReplicationTarget bad = Target(shadow);
  bad.shadow_address = "no-port";
  const cdr::Status refused = manager_->Start(bad);
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("shadow_address"), std::string::npos) << refused.message();
  EXPECT_EQ(Status().state, "initialized");

  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  EXPECT_TRUE(manager_->Start(Target(shadow)).ok()) << "the same target again is Ok";
  ReplicationTarget other = Target(shadow);
  other.server_id = "web-2";
  const cdr::Status busy = manager_->Start(other);
  EXPECT_EQ(busy.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(busy.message().find("stop it before"), std::string::npos) << busy.message();
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime"); })) << Status().state;
  const cdr::Status repair = manager_->Repair();
  EXPECT_EQ(repair.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(repair.message().find("realtime"), std::string::npos) << repair.message();

  // Restart from realtime: stop, then start again with the persisted target; no second full sync.
  const uint64_t synced = Status().disks[0].full_sync_bytes_sent;
  ASSERT_TRUE(manager_->Restart().ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime"); })) << Status().state;
  EXPECT_EQ(Status().disks[0].full_sync_bytes_sent, synced);
}

TEST_F(ReplicationManagerTest, ARestartedAgentComesBackInTheDesiredState) {
  MakeDisk(disk_, 8 * kMiB, 2 * kMiB, 4);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  OpenManager();
  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime"); })) << Status().state;
  ASSERT_TRUE(manager_->Stop().ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime_stopped"); })) << Status().state;

  OpenManager();  // stopped stays stopped
  ASSERT_TRUE(manager_->ResumeDesiredState().ok());
  EXPECT_EQ(Status().state, "realtime_stopped");
  EXPECT_EQ(Status().server_id, "web-1");
  std::vector<uint8_t> block(4096, 0x77);
  ASSERT_TRUE(manager_->device(0)->Write(5 * kMiB, block, false).ok());
  EXPECT_FALSE(
      PollUntil([&] { return Status().state != "realtime_stopped"; }, std::chrono::milliseconds(1500)));
  EXPECT_EQ(Status().disks[0].acked_seq, 0u);

  // Running when the agent went away: it resumes by itself, sends the journaled write, no new full sync.
  ASSERT_TRUE(manager_->Restart().ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;
  OpenManager();
  EXPECT_EQ(Status().state, "realtime_stopped") << "nothing runs before ResumeDesiredState";
  ASSERT_TRUE(manager_->ResumeDesiredState().ok());
  ASSERT_TRUE(manager_->device(0)->Write(6 * kMiB, block, false).ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;
  EXPECT_EQ(Status().disks[0].full_sync_bytes_sent, 0u);
}

TEST_F(ReplicationManagerTest, SyncModeIsChosenPerStart) {
  MakeDisk(disk_, 8 * kMiB, kMiB, 5);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  OpenManager();
  ReplicationTarget sync = Target(shadow);
  sync.sync_mode = true;
  ASSERT_TRUE(manager_->Start(sync).ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime"); })) << Status().state;
  EXPECT_TRUE(Status().sync_mode);
  std::vector<uint8_t> block(4096, 0x42);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(manager_->device(0)->Write(i * 4096, block, false).ok());
    // Acknowledged to the writer only once the shadow had it.
    const AgentStatus s = Status();
    EXPECT_EQ(s.disks[0].acked_seq, s.disks[0].journal_seq) << "write " << i;
  }

  ASSERT_TRUE(manager_->Stop().ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime_stopped"); })) << Status().state;
  // Stopped: a sync-mode export must not wait for a shadow nobody streams to.
  const auto before = std::chrono::steady_clock::now();
  ASSERT_TRUE(manager_->device(0)->Write(kMiB, block, false).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;
  EXPECT_FALSE(Status().sync_mode);
}

// Live settings (POST /v1/settings): the running senders and exports take them without a resync, the stored
// target follows (a start with the new values is the same target), and a restarted agent keeps them.
TEST_F(ReplicationManagerTest, SettingsChangeLiveWithoutResyncAndSurviveARestart) {
  MakeDisk(disk_, 8 * kMiB, kMiB, 6);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  OpenManager();
  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;
  const uint64_t synced = Status().disks[0].full_sync_bytes_sent;
  ASSERT_TRUE(Status().settings.has_value());
  EXPECT_FALSE(Status().settings->sync_mode);

  SettingsUpdate update;
  update.sync_mode = true;
  update.rate_bytes_per_second = 50 * kMiB;
  update.journal_max_bytes = 128 * kMiB;
  ASSERT_TRUE(manager_->SetSettings(update).ok());
  AgentSettings want{true, 50 * kMiB, 300, 128 * kMiB};
  const AgentStatus now = Status();
  ASSERT_TRUE(now.settings.has_value());
  EXPECT_EQ(now.settings->sync_mode, want.sync_mode);
  EXPECT_EQ(now.settings->rate_bytes_per_second, want.rate_bytes_per_second);
  EXPECT_EQ(now.settings->journal_max_bytes, want.journal_max_bytes);
  EXPECT_EQ(stack_->journal().max_bytes(), 128 * kMiB);
  EXPECT_EQ(now.state, "realtime");
  std::vector<uint8_t> block(4096, 0x5a);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(manager_->device(0)->Write(i * 4096, block, false).ok());
    const AgentStatus s = Status();  // sync now: acknowledged once the shadow had it
    EXPECT_EQ(s.disks[0].acked_seq, s.disks[0].journal_seq) << "write " << i;
  }
  ReplicationTarget same = Target(shadow, 50);
  same.sync_mode = true;
  EXPECT_TRUE(manager_->Start(same).ok()) << "the stored target follows the settings";
  EXPECT_EQ(Status().disks[0].full_sync_bytes_sent, synced);
  EXPECT_EQ(Status().disks[0].repair_bytes_sent, 0u);
  SettingsUpdate bad;
  bad.outage_window_seconds = 0;
  EXPECT_EQ(manager_->SetSettings(bad).code(), StatusCode::kInvalidArgument);

  OpenManager();  // a restarted agent: the persisted settings win over the journal's flag default
  EXPECT_EQ(stack_->journal().max_bytes(), 128 * kMiB);
  ASSERT_TRUE(Status().settings.has_value());
  EXPECT_TRUE(Status().settings->sync_mode);
  EXPECT_EQ(Status().settings->rate_bytes_per_second, 50 * kMiB);
}

TEST_F(ReplicationManagerTest, LinkLostLongerThanTheWindowIsAnErrorThatRepairFixes) {
  MakeDisk(disk_, 8 * kMiB, 2 * kMiB, 6);
  auto shadow = std::make_unique<ShadowWithReadyFile>(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  // The agent keeps the proxy's address while the shadow restarts on a new free port: reusing the old port
  // raced with the other tests of a parallel run, which may take it meanwhile.
  TcpProxy proxy(shadow->port());
  OpenManager();
  ReplicationTarget target = Target(*shadow);
  target.shadow_address = "127.0.0.1:" + std::to_string(proxy.port());
  target.auto_restart = false;
  target.outage_window_seconds = 1;
  ASSERT_TRUE(manager_->Start(target).ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("realtime"); })) << Status().state;

  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();
  std::vector<uint8_t> block(64 * 1024, 0x33);
  ASSERT_TRUE(manager_->device(0)->Write(3 * kMiB, block, false).ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("replication_error"); })) << Status().state;
  EXPECT_FALSE(Status().disks[0].last_error.empty());
  // A start in error asks for a repair towards its target; with the shadow still down the error stays.
  EXPECT_EQ(manager_->Start(target).code(), cdr::StatusCode::kOk);
  EXPECT_TRUE(PollUntil([&] { return StateIs("replication_error"); })) << Status().state;

  // Stopped in error, the error is kept (and persisted): a repair is what is needed.
  ASSERT_TRUE(manager_->Stop().ok());
  ASSERT_TRUE(PollUntil([&] {  // the stop is complete once the stopped disk's error is persisted
    Result<nlohmann::json> persisted = ReadJsonFile(tmp_ / "state/replication.json");
    return persisted.ok() && (*persisted)["desired"] == "stopped" &&
           (*persisted)["disks"]["vda"]["error"] != "";
  }));
  EXPECT_EQ(Status().state, "replication_error");

  shadow = std::make_unique<ShadowWithReadyFile>(tmp_ / "shadow2", replicas_);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  proxy.Retarget(shadow->port());
  ASSERT_TRUE(manager_->Repair().ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state << " " << Status().disks[0].last_error;
  // Only what changed during the outage (64 KiB, rounded to the repair's blocks) is sent again.
  EXPECT_GE(Status().disks[0].repair_bytes_sent, block.size());
  EXPECT_LE(Status().disks[0].repair_bytes_sent, 512 * 1024);
}

TEST_F(ReplicationManagerTest, StartInErrorWithTheShadowsNewAddressRepairsTowardsIt) {
  MakeDisk(disk_, 8 * kMiB, 2 * kMiB, 9);
  auto shadow = std::make_unique<ShadowWithReadyFile>(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  OpenManager();
  ReplicationTarget target = Target(*shadow);
  target.auto_restart = false;
  target.outage_window_seconds = 1;
  ASSERT_TRUE(manager_->Start(target).ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;

  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();
  std::vector<uint8_t> block(64 * 1024, 0x5a);
  ASSERT_TRUE(manager_->device(0)->Write(5 * kMiB, block, false).ok());
  ASSERT_TRUE(PollUntil([&] { return StateIs("replication_error"); })) << Status().state;

  shadow = std::make_unique<ShadowWithReadyFile>(tmp_ / "shadow2", replicas_);
  ASSERT_TRUE(shadow->started()) << shadow->log();
  ASSERT_TRUE(manager_->Start(Target(*shadow)).ok());
  EXPECT_EQ(Status().shadow_address, shadow->address());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state << " " << Status().disks[0].last_error;
  EXPECT_GE(Status().disks[0].repair_bytes_sent, block.size());
  EXPECT_LE(Status().disks[0].repair_bytes_sent, 512 * 1024);
  Result<nlohmann::json> persisted = ReadJsonFile(tmp_ / "state/replication.json");
  ASSERT_TRUE(persisted.ok());
  EXPECT_EQ((*persisted)["target"]["shadow_address"], shadow->address()) << persisted->dump();
}

TEST_F(ReplicationManagerTest, ACutJournalAtStartIsRepairedBeforeRealtime) {
  MakeDisk(disk_, 8 * kMiB, 2 * kMiB, 8);
  ShadowWithReadyFile shadow(tmp_ / "shadow", replicas_);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  OpenManager();
  ASSERT_TRUE(manager_->Start(Target(shadow)).ok());
  std::vector<uint8_t> block(64 * 1024, 0x21);
  ASSERT_TRUE(manager_->device(0)->Write(kMiB, block, false).ok());
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state;

  // The agent goes away while running, leaving a torn record at the journal's end: the export must be
  // compared.
  manager_.reset();
  ASSERT_TRUE(stack_->CloseClean().ok());
  stack_.reset();
  fs::path newest;
  for (const auto& entry : fs::directory_iterator(tmp_ / "state/vda/journal")) {
    if (newest.empty() || entry.path().filename() > newest.filename()) newest = entry.path();
  }
  ASSERT_FALSE(newest.empty());
  std::ofstream(newest, std::ios::app | std::ios::binary) << "torn record";
  OpenManager();
  ASSERT_TRUE(stack_->needs_repair());
  const AgentStatus before = Status();
  EXPECT_EQ(before.state, "replication_error");
  EXPECT_NE(before.disks[0].last_error.find("unclean shutdown"), std::string::npos)
      << before.disks[0].last_error;

  ASSERT_TRUE(manager_->ResumeDesiredState().ok());  // desired running, auto_restart: repairs by itself
  ASSERT_TRUE(PollUntil([&] { return CaughtUp(); })) << Status().state << " " << Status().disks[0].last_error;
  EXPECT_EQ(Status().disks[0].full_sync_bytes_sent, 0u);
  EXPECT_LE(Status().disks[0].repair_bytes_sent, 512 * 1024) << "the replica was equal: nothing much to send";
}

TEST(ReplicationManagerOpenTest, MalformedStateFileNamesTheFileAndField) {
  TempDir tmp;
  fs::create_directories(tmp / "state");
  std::ofstream(tmp / "state/replication.json") << R"({"desired": "running", "target": {"server_id": 7}})";
  MakeDisk(tmp / "vda.img", 4 * kMiB, 0, 7);
  ExportConfig config{"vda", tmp / "vda.img", tmp / "state"};
  auto stack = ExportStack::Open(config);
  ASSERT_TRUE(stack.ok()) << stack.status().ToString();
  auto manager = ReplicationManager::Open({tmp / "state"}, {{stack->get(), tmp / "vda.img"}});
  ASSERT_FALSE(manager.ok());
  EXPECT_EQ(manager.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(manager.status().message().find("replication.json"), std::string::npos)
      << manager.status().message();
  EXPECT_NE(manager.status().message().find("target.shadow_address"), std::string::npos)
      << manager.status().message();
}

}  // namespace
}  // namespace cdr::agent
