// The recovery history with the real cdr-agent streaming to the real cdr-shadow: an idle agent's heartbeats
// are enough for the points to catch up with its last write, and the newest point replays to the disk the
// agent exports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/json_file.h"
#include "tests/shadow/history_test_util.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::shadow {
namespace {

using namespace std::chrono_literals;
using testing::AgentProcess;
using testing::HashBytes;
using testing::LastJournalSeq;
using testing::PollUntil;
using testing::ReadFile;
using testing::ReplayDiskAt;
using testing::RunProgram;
using testing::RunResult;
using testing::ShadowProcess;
using testing::TempDir;
namespace fs = std::filesystem;

TEST(HistoryAgentE2eTest, PointsOfAnIdleAgentReachItsLastWriteAndReplayToItsDisk) {
  TempDir tmp;
  const fs::path server_dir = tmp / "replicas/web-1", disk = tmp / "disk.img";
  fs::create_directories(server_dir);
  ASSERT_TRUE(WriteJsonFileAtomically(server_dir / "policy.json", {{"every_seconds", 1}, {"keep", 10}}).ok());
  std::ofstream(disk).close();
  ASSERT_EQ(::truncate(disk.c_str(), 8 << 20), 0);
  ShadowProcess shadow(tmp.path(), tmp / "replicas");
  ASSERT_TRUE(shadow.started()) << shadow.log();
  fs::create_directories(tmp / "agent");
  AgentProcess agent(tmp / "agent", tmp / "state", {"disk0=" + disk.string()},
                     {"--shadow", shadow.address(), "--server-id", "web-1"});
  ASSERT_TRUE(agent.started()) << agent.log();
  ASSERT_TRUE(PollUntil([&] { return fs::exists(server_dir / "disk0.history.json"); }, 30s)) << shadow.log();

  testing::WriteRandomFile(tmp / "src.bin", 2 << 20, 7);
  RunResult copy = RunProgram({"nbdcopy", (tmp / "src.bin").string(), agent.uri("disk0")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  const uint64_t last = LastJournalSeq(tmp / "state/disk0/journal");
  ASSERT_GT(last, 0u);
  uint64_t newest_point_seq = 0;
  ASSERT_TRUE(PollUntil(
      [&] {
        Result<nlohmann::json> points = ReadJsonFile(server_dir / "recovery_points.json");
        if (!points.ok() || (*points)["points"].empty()) return false;
        newest_point_seq = (*points)["points"].back()["seqs"]["disk0"];
        return newest_point_seq == last;
      },
      20s))
      << "newest point at seq " << newest_point_seq << ", last write " << last << "\n"
      << shadow.log();
  Result<std::vector<uint8_t>> replayed = ReplayDiskAt(server_dir, "disk0", last);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  const std::string source = ReadFile(disk);
  EXPECT_EQ(HashBytes(*replayed), HashBytes(std::vector<uint8_t>(source.begin(), source.end())));
}

}  // namespace
}  // namespace cdr::shadow
