// Acceptance of the data plane with a real filesystem: the real cdr-agent replicates to a real cdr-shadow while
// mkfs.ext4 and debugfs -w write an ext4 filesystem through nbdfuse; once the API says every write is
// acknowledged, the replica is byte-identical to the disk and e2fsck finds it clean.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/agent/agent_with_api.h"
#include "tests/agent/nbdfuse_mount.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
namespace fs = std::filesystem;
constexpr uint64_t kReplicatedExt4DiskBytes = 64ull << 20;

TEST(ReplicatedExt4E2eTest, AFilesystemWrittenDuringReplicationIsIdenticalAndCleanOnTheReplica) {
  if (const std::string missing = MissingFuseTools(); !missing.empty()) GTEST_SKIP() << missing;
  TempDir tmp;
  const fs::path disk = tmp / "vda.img";
  const fs::path replicas = tmp / "replicas";
  MakeDisk(disk, kReplicatedExt4DiskBytes, 0, 21);
  ShadowWithReadyFile shadow(tmp / "shadow", replicas);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  AgentWithApi agent(tmp / "agent", tmp / "state", disk,
                     {"--shadow", shadow.address(), "--server-id", "web-1"});
  ASSERT_TRUE(agent.started()) << agent.log();

  NbdfuseMount mount(tmp / "mnt", agent.nbd_uri(), kReplicatedExt4DiskBytes, tmp.path());
  if (mount.sandbox_refused()) GTEST_SKIP() << "nbdfuse cannot mount in this sandbox: " << mount.log();
  ASSERT_TRUE(mount.mounted()) << "nbdfuse did not expose the export: " << mount.log();

  RunResult mkfs = RunProgram({"mkfs.ext4", "-F", "-q", mount.file().string()});
  ASSERT_EQ(mkfs.exit_code, 0) << mkfs.err;
  // A directory tree with files of several sizes, some spanning many blocks, written in one debugfs session.
  const std::vector<std::pair<std::string, size_t>> files = {
      {"etc/app.conf", 3000}, {"var/lib/db/data.bin", 3 << 20}, {"var/log/app.log", 200 << 10},
      {"home/user/photo.raw", 1 << 20}, {"big.bin", 5 << 20}};
  std::ofstream script(tmp / "debugfs.cmds");
  for (const char* dir : {"etc", "var", "var/lib", "var/lib/db", "var/log", "home", "home/user"})
    script << "mkdir " << dir << "\n";
  for (size_t i = 0; i < files.size(); ++i) {
    const fs::path source = tmp / ("src" + std::to_string(i));
    WriteRandomFile(source, files[i].second, 100 + static_cast<unsigned>(i));
    script << "write " << source.string() << " " << files[i].first << "\n";
  }
  script.close();
  RunResult write = RunProgram({"debugfs", "-w", "-f", (tmp / "debugfs.cmds").string(), mount.file().string()});
  ASSERT_EQ(write.exit_code, 0) << write.err;
  mount.Unmount();

  ASSERT_TRUE(PollUntil([&] { return agent.AllAcked(); })) << agent.Status().dump() << agent.log();
  const fs::path replica = ReplicaImage(replicas, "web-1", "vda");
  EXPECT_TRUE(CmpEqual(disk, replica)) << agent.Status().dump();
  const nlohmann::json status = agent.Status();
  EXPECT_GT(status["disks"][0]["journal_seq"].get<uint64_t>(), 10u) << "the writes went through the journal";

  RunResult fsck = RunProgram({"e2fsck", "-fn", replica.string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  for (size_t i = 0; i < files.size(); ++i) {
    RunResult dump = RunProgram({"debugfs", "-R", "dump " + files[i].first + " " + (tmp / "out").string(),
                                 replica.string()});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    EXPECT_TRUE(CmpEqual(tmp / ("src" + std::to_string(i)), tmp / "out")) << files[i].first;
  }
}

}  // namespace
}  // namespace cdr::agent
