// A real filesystem through the agent: nbdfuse exposes the export as a file (no kernel nbd module here),
// mkfs.ext4 and debugfs write through it, and e2fsck checks the backing image afterwards.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/journal_reader.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using namespace cdr::testing;

bool OnPath(const std::string& program) { return RunProgram({"sh", "-c", "command -v " + program}).exit_code == 0; }

// Unmounts at the end of the test, also when it fails, then reaps nbdfuse.
class FuseMount {
 public:
  FuseMount(const fs::path& mountpoint, Child child) : mountpoint_(mountpoint), child_(std::move(child)) {}
  ~FuseMount() { Unmount(); }
  void Unmount() {
    if (done_) return;
    done_ = true;
    RunProgram({"fusermount3", "-u", mountpoint_.string()});
    child_.Wait(std::chrono::seconds(30));
  }
  Child& child() { return child_; }

 private:
  fs::path mountpoint_;
  Child child_;
  bool done_ = false;
};

TEST(NbdfuseExt4Test, Ext4ThroughTheAgentIsCleanAndJournaled) {
  if (::access("/dev/fuse", R_OK | W_OK) != 0) GTEST_SKIP() << "/dev/fuse is not usable here";
  for (const char* tool : {"nbdfuse", "fusermount3", "mkfs.ext4", "debugfs", "e2fsck"}) {
    if (!OnPath(tool)) GTEST_SKIP() << tool << " is not installed";
  }
  TempDir tmp;
  const fs::path image = tmp / "disk0.img";
  std::ofstream(image).close();
  fs::resize_file(image, 64ull << 20);
  AgentProcess agent(tmp.path(), tmp / "state", {"disk0=" + image.string()});
  ASSERT_TRUE(agent.started()) << agent.log();

  const fs::path mnt = tmp / "mnt";
  fs::create_directory(mnt);
  FuseMount mount(mnt, Child({"nbdfuse", (mnt / "disk0").string(), agent.uri("disk0")}, tmp / "fuse.out",
                             tmp / "fuse.err"));
  const bool appeared = PollUntil([&] {
    std::error_code ec;
    return fs::file_size(mnt / "disk0", ec) == (64ull << 20) || !mount.child().running();
  });
  if (!appeared || !mount.child().running()) {
    const std::string err = ReadFile(tmp / "fuse.err");
    if (err.find("fuse") != std::string::npos || err.find("mount") != std::string::npos) {
      GTEST_SKIP() << "nbdfuse cannot mount in this sandbox: " << err;
    }
    FAIL() << "nbdfuse did not expose the export: " << err;
  }

  RunResult mkfs = RunProgram({"mkfs.ext4", "-F", "-q", (mnt / "disk0").string()});
  ASSERT_EQ(mkfs.exit_code, 0) << mkfs.err;
  RunResult write = RunProgram({"debugfs", "-w", "-R", "write /etc/hostname hostname", (mnt / "disk0").string()});
  ASSERT_EQ(write.exit_code, 0) << write.err;
  mount.Unmount();

  agent.child().Kill(SIGTERM);
  ASSERT_EQ(agent.child().Wait(), 0) << agent.log();
  RunResult fsck = RunProgram({"e2fsck", "-fn", image.string()});
  EXPECT_EQ(fsck.exit_code, 0) << fsck.out << fsck.err;
  RunResult cat = RunProgram({"debugfs", "-R", "cat hostname", image.string()});
  EXPECT_EQ(cat.out, ReadFile("/etc/hostname"));

  auto reader = JournalReader::Open(tmp / "state" / "disk0" / "journal", 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  JournalRecord record;
  size_t records = 0;
  Result<bool> next = true;
  while ((next = (*reader)->Next(&record)).ok() && *next) ++records;
  EXPECT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_GT(records, 10u);
}

}  // namespace
}  // namespace cdr::agent
