// A real filesystem through the agent: nbdfuse exposes the export as a file (no kernel nbd module here),
// mkfs.ext4 and debugfs write through it, and e2fsck checks the backing image afterwards.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "journal/reader.h"
#include "tests/agent/nbdfuse_mount.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using namespace cdr::testing;
using namespace cdr::agent::testing;

TEST(NbdfuseExt4Test, Ext4ThroughTheAgentIsCleanAndJournaled) {
  if (const std::string missing = MissingFuseTools(); !missing.empty()) GTEST_SKIP() << missing;
  TempDir tmp;
  const fs::path image = tmp / "disk0.img";
  std::ofstream(image).close();
  fs::resize_file(image, 64ull << 20);
  AgentProcess agent(tmp.path(), tmp / "state", {"disk0=" + image.string()});
  ASSERT_TRUE(agent.started()) << agent.log();

  NbdfuseMount mount(tmp / "mnt", agent.uri("disk0"), 64ull << 20, tmp.path());
  if (mount.sandbox_refused()) GTEST_SKIP() << "nbdfuse cannot mount in this sandbox: " << mount.log();
  ASSERT_TRUE(mount.mounted()) << "nbdfuse did not expose the export: " << mount.log();

  RunResult mkfs = RunProgram({"mkfs.ext4", "-F", "-q", mount.file().string()});
  ASSERT_EQ(mkfs.exit_code, 0) << mkfs.err;
  RunResult write = RunProgram({"debugfs", "-w", "-R", "write /etc/hostname hostname", mount.file().string()});
  ASSERT_EQ(write.exit_code, 0) << write.err;
  mount.Unmount();

  agent.child().Kill(SIGTERM);
  ASSERT_EQ(agent.child().Wait(), 0) << agent.log();
  RunResult fsck = RunProgram({"e2fsck", "-fn", image.string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  RunResult cat = RunProgram({"debugfs", "-R", "cat hostname", image.string()});
  EXPECT_EQ(cat.out, ReadFile("/etc/hostname"));

  auto reader = journal::JournalReader::Open(tmp / "state" / "disk0" / "journal", 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  journal::Record record;
  size_t records = 0;
  Result<bool> next = true;
  while ((next = (*reader)->Next(&record)).ok() && *next) ++records;
  EXPECT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(records, 10u);
}

}  // namespace
}  // namespace cdr::agent
