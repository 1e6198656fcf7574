// The shadow's recovery history, writer side (docs/recovery-points.md), against a real cdr-shadow fed frame
// by frame: the base taken when the full sync ends, scheduled points that replay to exactly what the source
// held at their time, retention that frees space and honours pins, repairs, and a crash in the middle of a
// roll.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <fstream>

#include "journal/format.h"
#include "common/json_file.h"
#include "shadow/replica_disk.h"
#include "tests/shadow/history_test_util.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::shadow {
namespace {

using namespace std::chrono_literals;
using testing::AllocatedBytes;
using testing::FilesEqual;
using testing::HashBytes;
using testing::PollUntil;
using testing::ReplayDiskAt;
using testing::ShadowProcess;
using testing::TempDir;
using testing::WireSource;
namespace fs = std::filesystem;

constexpr uint64_t kDisk = 4 << 20;

class HistoryPointsTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(ServerDir()); }
  void TearDown() override {
    ::unsetenv("CDR_CDP_SEGMENT_BYTES");
    ::unsetenv("CDR_SHADOW_TEST_CRASH_IN_ROLL");
  }
  fs::path ServerDir() const { return tmp_.path() / "replicas/web-1"; }
  std::unique_ptr<ShadowProcess> StartShadow() {
    auto shadow = std::make_unique<ShadowProcess>(tmp_.path(), tmp_.path() / "replicas");
    EXPECT_TRUE(shadow->started()) << shadow->log();
    return shadow;
  }
  void WritePolicy(uint64_t every, uint64_t keep) {
    ASSERT_TRUE(
        WriteJsonFileAtomically(ServerDir() / "policy.json", {{"every_seconds", every}, {"keep", keep}})
            .ok());
  }
  nlohmann::json History() {
    Result<nlohmann::json> j = ReadJsonFile(ServerDir() / "disk0.history.json");
    return j.ok() ? *j : nlohmann::json();
  }
  std::vector<nlohmann::json> Points() {
    Result<nlohmann::json> j = ReadJsonFile(ServerDir() / "recovery_points.json");
    if (!j.ok()) return {};
    return (*j)["points"].get<std::vector<nlohmann::json>>();
  }
  // Random writes (and a zeroing every 7th) for `duration`, `pause` apart.
  void WriteFor(WireSource* source, std::chrono::milliseconds duration, uint64_t chunk = 16 << 10,
                std::chrono::milliseconds pause = 60ms) {
    const auto end = std::chrono::steady_clock::now() + duration;
    int n = 0;
    while (std::chrono::steady_clock::now() < end) {
      const uint64_t offset = (source->RandomBytes(1)[0] * 4096ull * 3) % (kDisk - chunk);
      const Status s = ++n % 7 == 0 ? source->WriteZeroes(offset, 8192)
                                    : source->Write(offset, source->RandomBytes(chunk));
      ASSERT_TRUE(s.ok()) << s.ToString();
      std::this_thread::sleep_for(pause);
    }
  }
  // Heartbeats (an idle, caught-up source) until `done`.
  bool HeartbeatUntil(WireSource* source, const std::function<bool()>& done,
                      std::chrono::milliseconds deadline = 15s) {
    return PollUntil(
        [&] {
          EXPECT_TRUE(source->Heartbeat().ok());
          return done();
        },
        deadline);
  }
  // Every point maps the disk to the source's seq at its time, and replaying to it gives the source's
  // content.
  void ExpectPointsReplayToTheSource(const WireSource& source, const std::string& name = "disk0") {
    for (const nlohmann::json& p : Points()) {
      const uint64_t t = p["time_ns"], seq = p["seqs"][name];
      EXPECT_EQ(seq, source.SeqAt(t)) << p.dump();
      Result<std::vector<uint8_t>> disk = ReplayDiskAt(ServerDir(), name, seq);
      ASSERT_TRUE(disk.ok()) << p.dump() << ": " << disk.status().ToString();
      EXPECT_EQ(HashBytes(*disk), source.HashAt(t)) << "point " << p.dump();
    }
  }

  TempDir tmp_;
};

TEST_F(HistoryPointsTest, WithoutAPolicyNoHistoryFileIsWritten) {
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  WriteFor(&source, 300ms);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(source.Heartbeat().ok());
  for (const char* name : {"disk0.base.img", "disk0.history.json", "recovery_points.json", "history.lock"}) {
    EXPECT_FALSE(fs::exists(ServerDir() / name)) << name;
  }
  EXPECT_TRUE(fs::exists(ServerDir() / "disk0.cdp"));
}

TEST_F(HistoryPointsTest, BaseTakenAtFullSyncEndEqualsTheReplica) {
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  ASSERT_TRUE(PollUntil([&] { return History().is_object(); }, 10s)) << shadow->log();
  EXPECT_EQ(History()["base_seq"], 0u);
  EXPECT_EQ(History()["disk_size"], kDisk);
  EXPECT_TRUE(History()["repairs"].empty());
  EXPECT_TRUE(FilesEqual(ServerDir() / "disk0.base.img", ServerDir() / "disk0.img"));
  Result<std::vector<uint8_t>> base = ReplayDiskAt(ServerDir(), "disk0", 0);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(HashBytes(*base), source.Hash());
  // Holes stay holes: half the source's blocks hold data.
  EXPECT_LE(AllocatedBytes(ServerDir() / "disk0.base.img"), kDisk / 2 + (64 << 10));
}

TEST_F(HistoryPointsTest, ScheduledPointsReplayToTheSourceAtTheirTime) {
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  WriteFor(&source, 3500ms);
  const uint64_t last_write = source.SeqAt(UINT64_MAX);
  ASSERT_TRUE(HeartbeatUntil(&source, [&] {
    std::vector<nlohmann::json> points = Points();
    return !points.empty() && points.back()["seqs"]["disk0"] == last_write;
  })) << shadow->log();
  const std::vector<nlohmann::json> points = Points();
  ASSERT_GE(points.size(), 3u);
  for (size_t i = 1; i < points.size(); ++i) {
    EXPECT_GT(points[i]["time_ns"], points[i - 1]["time_ns"]);
    EXPECT_EQ(points[i]["time_ns"].get<uint64_t>() % 1000000000ull, 0u) << "not on the schedule";
    EXPECT_EQ(points[i]["kind"], "scheduled");
    EXPECT_EQ(points[i]["id"].get<std::string>().rfind("rp-", 0), 0u);
  }
  ExpectPointsReplayToTheSource(source);
}

TEST_F(HistoryPointsTest, RetentionDropsPointsRollsTheBaseForwardAndFreesSpaceButNotPastAPin) {
  ::setenv("CDR_CDP_SEGMENT_BYTES", "1048576", 1);
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  WriteFor(&source, 3000ms, 64 << 10, 10ms);
  const uint64_t last_write = source.SeqAt(UINT64_MAX);
  ASSERT_TRUE(HeartbeatUntil(&source, [&] {
    std::vector<nlohmann::json> points = Points();
    return !points.empty() && points.back()["seqs"]["disk0"] == last_write;
  })) << shadow->log();
  const uint64_t before = AllocatedBytes(ServerDir() / "disk0.cdp");
  ASSERT_GT(before, 2u << 20);

  // A DR disk materialized at the first point after a write pins it; then keep shrinks to 1. (On a slow machine
  // a scheduled instant can pass between the full sync and the first write: that point is the base, seq 0.)
  uint64_t pinned = 0;
  for (const auto& point : Points()) {
    pinned = point["seqs"]["disk0"];
    if (pinned > 0) break;
  }
  ASSERT_GT(pinned, 0u);
  ASSERT_TRUE(
      WriteJsonFileAtomically(ServerDir() / "pins/drill-1.json", {{"seqs", {{"disk0", pinned}}}}).ok());
  WritePolicy(1, 1);
  ASSERT_TRUE(HeartbeatUntil(&source, [&] {
    return Points().size() == 1 && History()["base_seq"] == pinned;
  })) << shadow->log();
  // Two more points are taken and pruned: the base stays at the pin.
  const uint64_t newest = Points().back()["time_ns"];
  ASSERT_TRUE(HeartbeatUntil(&source, [&] { return Points().back()["time_ns"] >= newest + 2000000000ull; }));
  EXPECT_EQ(History()["base_seq"], pinned);

  fs::remove(ServerDir() / "pins/drill-1.json");
  ASSERT_TRUE(HeartbeatUntil(&source,
                             [&] {
                               return History()["base_seq"] == last_write &&
                                      AllocatedBytes(ServerDir() / "disk0.cdp") < before - (1 << 20);
                             }))
      << "cdp dir " << AllocatedBytes(ServerDir() / "disk0.cdp") << " bytes, was " << before << "\n"
      << shadow->log();
  ExpectPointsReplayToTheSource(source);
  Result<std::vector<uint8_t>> now = ReplayDiskAt(ServerDir(), "disk0", last_write);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(HashBytes(*now), source.Hash());
}

TEST_F(HistoryPointsTest, ARepairInBetweenKeepsOldPointsValidAndTheReplayAcrossItMatches) {
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  WriteFor(&source, 2200ms);
  const uint64_t before_outage = source.seq();
  ASSERT_TRUE(HeartbeatUntil(&source, [&] {
    std::vector<nlohmann::json> points = Points();
    return !points.empty() && points.back()["seqs"]["disk0"] == before_outage;
  })) << shadow->log();
  // The link was down: these records never reach the shadow, a repair brings the blocks over instead.
  for (int i = 0; i < 3; ++i) source.WriteOffline(4096ull * 7 * (i + 1), source.RandomBytes(8192));
  // The first repair is cut short and restarted with a new base: both write into the same delta.
  ASSERT_TRUE(source.Repair(/*finish=*/false).ok()) << shadow->log();
  ASSERT_TRUE(PollUntil([&] { return source.Connect(shadow->port()).ok(); }, 10s));  // the link drops again
  for (int i = 3; i < 5; ++i) source.WriteOffline(4096ull * 7 * (i + 1), source.RandomBytes(8192));
  ASSERT_TRUE(source.Repair().ok()) << shadow->log();
  WriteFor(&source, 2200ms);
  const uint64_t last_write = source.seq();
  ASSERT_TRUE(HeartbeatUntil(&source, [&] {
    std::vector<nlohmann::json> points = Points();
    return !points.empty() && points.back()["seqs"]["disk0"] == last_write;
  })) << shadow->log();

  const nlohmann::json repairs = History()["repairs"];
  ASSERT_EQ(repairs.size(), 1u) << History().dump();
  EXPECT_EQ(repairs[0]["after_seq"], before_outage);
  EXPECT_EQ(repairs[0]["finished_seq"], before_outage + 5);
  EXPECT_EQ(repairs[0]["dir"], "disk0.repair-" + std::to_string(before_outage));
  EXPECT_TRUE(
      fs::exists(ServerDir() / repairs[0]["dir"].get<std::string>() / "seg-00000000000000000001.journal"));
  size_t before = 0, after = 0;
  for (const nlohmann::json& p : Points()) {
    const uint64_t seq = p["seqs"]["disk0"];
    EXPECT_FALSE(seq > before_outage && seq < before_outage + 5) << "a point inside the repair: " << p.dump();
    (seq <= before_outage ? before : after) += 1;
  }
  EXPECT_GE(before, 1u);
  EXPECT_GE(after, 1u);
  ExpectPointsReplayToTheSource(source);
}

TEST_F(HistoryPointsTest, AKillDuringARollForwardLeavesAValidHistory) {
  ::setenv("CDR_CDP_SEGMENT_BYTES", "1048576", 1);
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  WriteFor(&source, 2500ms, 64 << 10, 10ms);
  const uint64_t last_write = source.seq();
  ASSERT_TRUE(HeartbeatUntil(&source, [&] {
    std::vector<nlohmann::json> points = Points();
    return points.size() >= 3 && points.back()["seqs"]["disk0"] == last_write;
  })) << shadow->log();
  source.Close();
  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();

  // The restarted shadow dies right after it applied the records to base.img, before history.json moved on.
  ::setenv("CDR_SHADOW_TEST_CRASH_IN_ROLL", "1", 1);
  shadow = StartShadow();
  ::unsetenv("CDR_SHADOW_TEST_CRASH_IN_ROLL");
  WritePolicy(1, 1);
  ASSERT_TRUE(source.Connect(shadow->port()).ok());
  ASSERT_TRUE(PollUntil(
      [&] {
        (void)source.Heartbeat();
        return !shadow->child().running();
      },
      15s))
      << shadow->log();
  ASSERT_TRUE(History().contains("rolling_to")) << History().dump();
  const uint64_t target = History()["rolling_to"];

  shadow = StartShadow();
  ASSERT_TRUE(PollUntil([&] { return source.Connect(shadow->port()).ok(); }, 10s));
  ASSERT_TRUE(HeartbeatUntil(
      &source, [&] { return !History().contains("rolling_to") && History()["base_seq"] >= target; }))
      << History().dump() << shadow->log();
  ExpectPointsReplayToTheSource(source);
  Result<std::vector<uint8_t>> now = ReplayDiskAt(ServerDir(), "disk0", last_write);
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(HashBytes(*now), source.Hash());
}

TEST_F(HistoryPointsTest, AManualPointRequestIsRecordedAtItsTimeAndABadOneGetsAnError) {
  WritePolicy(3600, 10);  // no scheduled point during the test
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  ASSERT_TRUE(PollUntil([&] { return History().is_object(); }, 10s));
  WriteFor(&source, 600ms);
  const uint64_t at = journal::NowRecordTimeNs();
  WriteFor(&source, 400ms);
  ASSERT_TRUE(
      WriteJsonFileAtomically(ServerDir() / "point-requests/g1.json", {{"time_ns", at}, {"id", "grp-1"}})
          .ok());
  ASSERT_TRUE(WriteJsonFileAtomically(ServerDir() / "point-requests/old.json", {{"time_ns", 1000}}).ok());
  ASSERT_TRUE(HeartbeatUntil(&source, [&] { return !fs::exists(ServerDir() / "point-requests/g1.json"); }))
      << shadow->log();
  ASSERT_EQ(Points().size(), 1u);
  EXPECT_EQ(Points()[0]["id"], "grp-1");
  EXPECT_EQ(Points()[0]["kind"], "manual");
  EXPECT_EQ(Points()[0]["time_ns"], at);
  ExpectPointsReplayToTheSource(source);
  Result<nlohmann::json> refused = ReadJsonFile(ServerDir() / "point-requests/old.json");
  ASSERT_TRUE(refused.ok());
  EXPECT_NE(refused->value("error", "").find("before the window"), std::string::npos) << refused->dump();
}

TEST_F(HistoryPointsTest, ABadPolicyIsLoggedOnceAndIgnoredUntilItIsFixed) {
  std::ofstream(ServerDir() / "policy.json") << "{\"every_seconds\": 0, \"keep\": 2}";
  auto shadow = StartShadow();
  WireSource source(shadow->port(), "web-1", "disk0", kDisk);
  ASSERT_TRUE(source.FullSync().ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(source.Heartbeat().ok());
  EXPECT_FALSE(fs::exists(ServerDir() / "disk0.history.json"));
  const std::string log = shadow->log();
  const size_t first = log.find("every_seconds must be a whole number >= 1");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("every_seconds must be", first + 1), std::string::npos) << "logged more than once:\n"
                                                                             << log;
  WritePolicy(1, 5);
  EXPECT_TRUE(HeartbeatUntil(
      &source, [&] { return History().is_object(); }, 10s))
      << shadow->log();
}

TEST_F(HistoryPointsTest, AReplicaRebuiltFromByteZeroStartsANewHistory) {
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  {
    WireSource source(shadow->port(), "web-1", "disk0", kDisk);
    ASSERT_TRUE(source.FullSync().ok());
    WriteFor(&source, 600ms);
    const uint64_t last_write = source.seq();
    ASSERT_TRUE(HeartbeatUntil(&source, [&] {
      std::vector<nlohmann::json> points = Points();
      return !points.empty() && points.back()["seqs"]["disk0"] == last_write;
    })) << shadow->log();
  }
  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();
  // The replica's state is gone (a new shadow disk, a new epoch): the next agent starts a full sync at 0.
  fs::remove(ServerDir() / "disk0.state.json");
  shadow = StartShadow();
  WireSource fresh(shadow->port(), "web-1", "disk0", kDisk, /*epoch=*/8);
  ASSERT_TRUE(fresh.FullSync().ok()) << shadow->log();
  ASSERT_TRUE(PollUntil([&] { return History().is_object(); }, 10s)) << shadow->log();
  EXPECT_EQ(History()["base_seq"], 0u);
  EXPECT_TRUE(Points().empty()) << "points of the old history survived";
  EXPECT_TRUE(fs::is_empty(ServerDir() / "disk0.cdp"));
  Result<std::vector<uint8_t>> base = ReplayDiskAt(ServerDir(), "disk0", 0);
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(HashBytes(*base), fresh.Hash());
}

TEST_F(HistoryPointsTest, ThePointsOfAServerCoverEveryDiskAtTheSameInstant) {
  WritePolicy(1, 100);
  auto shadow = StartShadow();
  WireSource disk0(shadow->port(), "web-1", "disk0", kDisk);
  WireSource disk1(shadow->port(), "web-1", "disk1", kDisk / 2);
  ASSERT_TRUE(disk0.FullSync().ok());
  ASSERT_TRUE(disk1.FullSync().ok());
  const auto end = std::chrono::steady_clock::now() + 2500ms;
  for (int i = 0; std::chrono::steady_clock::now() < end; ++i) {
    WireSource& source = i % 3 == 0 ? disk1 : disk0;  // disk1 writes less often
    ASSERT_TRUE(source.Write(4096ull * (i % 100), source.RandomBytes(8192)).ok());
    std::this_thread::sleep_for(40ms);
  }
  // disk1 alone idle is not enough: a point needs both disks past its instant.
  ASSERT_TRUE(PollUntil(
      [&] {
        EXPECT_TRUE(disk0.Heartbeat().ok());
        EXPECT_TRUE(disk1.Heartbeat().ok());
        std::vector<nlohmann::json> points = Points();
        return !points.empty() && points.back()["seqs"]["disk0"] == disk0.seq() &&
               points.back()["seqs"]["disk1"] == disk1.seq();
      },
      15s))
      << shadow->log();
  ASSERT_GE(Points().size(), 2u);
  for (const nlohmann::json& p : Points()) EXPECT_EQ(p["seqs"].size(), 2u) << p.dump();
  ExpectPointsReplayToTheSource(disk0, "disk0");
  ExpectPointsReplayToTheSource(disk1, "disk1");
}

}  // namespace
}  // namespace cdr::shadow
