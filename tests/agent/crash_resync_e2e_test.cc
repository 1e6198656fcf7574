// Issue #13, finding 4, with the real cdr-agent and cdr-shadow over 127.0.0.1: kill -9 of the agent in the
// middle of a loop of FUA writes through its NBD export, then a restart. The write in flight at the kill may be
// on the disk without a journal record, so it can only reach the replica through the resync of the dirty
// bitmap's blocks that the restarted agent runs before realtime. In every trial, once the agent says realtime
// with every write acknowledged the replica is cmp-identical, and the resync compared and sent no more than the
// region the loop writes, never the whole disk. The agents clear their bitmaps every 20 ms when caught up, so
// clears land in the middle of the write loops: a clear must never forget the write in flight.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using cdr::testing::kMiB;
constexpr uint64_t kDiskBytes = 16 * kMiB;
constexpr uint64_t kRegionBytes = 2 * kMiB;  // the loop writes 4 KiB blocks here only
constexpr int kTrials = 24;
constexpr int kWritesPerLoop = 1500;  // more than a trial lets it write: the kill always lands mid-loop
const std::vector<std::string> kClearOften = {"--bitmap-clear-ms", "20"};

std::vector<std::string> With(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// qemu-io writing 4 KiB blocks with FUA (-f) at scattered offsets of the region, a new pattern per trial.
std::vector<std::string> FuaWriteLoop(const std::string& uri, int trial) {
  std::vector<std::string> argv = {"qemu-io", "-f", "raw", "-t", "none"};
  for (int i = 0; i < kWritesPerLoop; ++i) {
    const uint64_t block = (static_cast<uint64_t>(i) * 193 + trial * 31) % (kRegionBytes / 4096);
    char command[80];
    std::snprintf(command, sizeof command, "write -f -P 0x%02x %llu 4096", (trial * 17 + i) % 255 + 1,
                  static_cast<unsigned long long>(block * 4096));
    argv.insert(argv.end(), {"-c", command});
  }
  argv.push_back(uri);
  return argv;
}

// Starts the trial's FUA write loop and kills the agent with SIGKILL once it journaled up to `kill_at` (the loop is
// still writing then: a write is in flight), then the loop.
void KillAgentMidLoop(AgentWithApi& agent, uint64_t kill_at, int trial, const std::filesystem::path& tmp) {
  Child writer(FuaWriteLoop(agent.nbd_uri(), trial), tmp / "qemu-io.out", tmp / "qemu-io.err");
  ASSERT_TRUE(PollUntil([&] { return agent.DiskField("journal_seq") >= kill_at || !writer.running(); }, 60s));
  ASSERT_TRUE(writer.running()) << "the write loop ended before the kill: " << ReadFile(tmp / "qemu-io.err");
  agent.child().Kill(SIGKILL);
  agent.child().Wait();
  writer.Kill(SIGKILL);
  writer.Wait();
}

TEST(CrashResyncE2eTest, Kill9DuringFuaWritesThenRestartLeavesTheReplicaIdenticalInEveryTrial) {
  if (RunProgram({"sh", "-c", "command -v qemu-io"}).exit_code != 0) GTEST_SKIP() << "qemu-io is not installed";
  TempDir tmp;
  const fs::path disk = tmp / "vda.img";
  const fs::path replicas = tmp / "replicas";
  const fs::path state = tmp / "state";
  MakeDisk(disk, kDiskBytes, 8 * kMiB, 13);  // data beyond the region too: a whole-disk resync would show
  ShadowWithReadyFile shadow(tmp / "shadow", replicas);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  const fs::path replica = ReplicaImage(replicas, "web-1", "vda");
  auto agent = std::make_unique<AgentWithApi>(
      tmp / "agent-0", state, disk, With({"--shadow", shadow.address(), "--server-id", "web-1"}, kClearOften));
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(PollUntil([&] { return agent->AllAcked() && CmpEqual(disk, replica); }, 60s))
      << agent->Status().dump() << agent->log();

  int resyncs_that_sent_data = 0;
  uint64_t most_sent = 0, most_compared = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const uint64_t seq_before = agent->DiskField("journal_seq");
    const uint64_t kill_at = seq_before + 1 + (trial * 7) % 40;
    ASSERT_NO_FATAL_FAILURE(KillAgentMidLoop(*agent, kill_at, trial, tmp.path()));

    // Restarted without --shadow: the persisted desired state resumes replication, as after `cdr apply`.
    agent = std::make_unique<AgentWithApi>(tmp / ("agent-" + std::to_string(trial + 1)), state, disk, kClearOften);
    ASSERT_TRUE(agent->started()) << agent->log();
    // The first moment the agent says realtime with every write acknowledged, the replica must be identical:
    // no write happens after the kill, so a difference then would be a silent divergence.
    ASSERT_TRUE(PollUntil([&] { return agent->AllAcked(); }, 60s)) << agent->Status().dump() << agent->log();
    ASSERT_TRUE(CmpEqual(disk, replica)) << agent->Status().dump() << agent->log();

    const uint64_t compared = agent->DiskField("repair_compared_bytes");
    const uint64_t sent = agent->DiskField("repair_bytes_sent");
    EXPECT_GT(compared, 0u) << "no resync after the crash";
    EXPECT_LE(compared, kRegionBytes) << "the resync compared more than the dirty region\n" << agent->log();
    EXPECT_LE(sent, compared);
    if (sent > 0) ++resyncs_that_sent_data;
    most_sent = std::max(most_sent, sent);
    most_compared = std::max(most_compared, compared);
  }
  // Data is sent for writes the replica did not have at the kill: journaled but not yet acknowledged (the
  // resync's journal reset drops them from the stream), or on the disk without a record.
  std::cout << kTrials << " trials: " << resyncs_that_sent_data << " resyncs sent data; at most " << most_sent
            << " bytes sent and " << most_compared << " bytes compared per resync (disk " << kDiskBytes
            << " bytes)\n";
  agent->child().Kill(SIGTERM);
  EXPECT_EQ(agent->child().Wait(), 0) << agent->log();
}

// The bitmap is cleared once the replica has every write, so a crash resyncs what changed since, not every block
// ever written: 8 MiB written and replicated first, then a crash during writes to a 2 MiB region compares no
// more than that region.
TEST(CrashResyncE2eTest, ACrashAfterTheBitmapWasClearedComparesOnlyWhatChangedSince) {
  if (RunProgram({"sh", "-c", "command -v qemu-io"}).exit_code != 0) GTEST_SKIP() << "qemu-io is not installed";
  TempDir tmp;
  const fs::path disk = tmp / "vda.img";
  const fs::path state = tmp / "state";
  MakeDisk(disk, kDiskBytes, 0, 17);
  ShadowWithReadyFile shadow(tmp / "shadow", tmp / "replicas");
  ASSERT_TRUE(shadow.started()) << shadow.log();
  const fs::path replica = ReplicaImage(tmp / "replicas", "web-1", "vda");
  // 1 MiB segments: the 8 MiB write gets a segment of its own, released once acknowledged, so the journal
  // replay after the kill does not mark it again.
  const std::vector<std::string> options =
      With({"--journal-segment-mib", "1"}, kClearOften);
  auto agent = std::make_unique<AgentWithApi>(
      tmp / "agent-0", state, disk, With({"--shadow", shadow.address(), "--server-id", "web-1"}, options));
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(agent->QemuWrite(kDiskBytes / 2, kDiskBytes / 2, 0x5a)) << agent->log();
  ASSERT_TRUE(agent->QemuWrite(0, 4096, 0x5b)) << agent->log();
  ASSERT_TRUE(PollUntil(
      [&] {
        return agent->AllAcked() && agent->DiskField("dirty_blocks") == 0 &&
               agent->DiskField("journal_bytes") < kMiB && CmpEqual(disk, replica);
      },
      60s))
      << "the bitmap was never cleared\n" << agent->Status().dump() << agent->log();

  const uint64_t kill_at = agent->DiskField("journal_seq") + 5;
  ASSERT_NO_FATAL_FAILURE(KillAgentMidLoop(*agent, kill_at, 1, tmp.path()));

  agent = std::make_unique<AgentWithApi>(tmp / "agent-1", state, disk, options);
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(PollUntil([&] { return agent->AllAcked(); }, 60s)) << agent->Status().dump() << agent->log();
  ASSERT_TRUE(CmpEqual(disk, replica)) << agent->Status().dump() << agent->log();
  const uint64_t compared = agent->DiskField("repair_compared_bytes");
  EXPECT_GT(compared, 0u) << "no resync after the crash";
  EXPECT_LE(compared, kRegionBytes) << "the resync compared blocks replicated before the clear\n" << agent->log();
  agent->child().Kill(SIGTERM);
  EXPECT_EQ(agent->child().Wait(), 0) << agent->log();
}

}  // namespace
}  // namespace cdr::agent
