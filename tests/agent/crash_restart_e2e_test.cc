// kill -9 the agent after acknowledged writes, then restart it on the same state directory.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/dirty_bitmap.h"
#include "journal/reader.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using namespace cdr::testing;

constexpr uint64_t kDiskSize = 64ull << 20;
constexpr uint64_t kGranule = 64 * 1024;

struct Written {
  uint64_t offset, length;
  uint8_t pattern;
};
const Written kWrites[] = {{0, 64 * 1024, 0x11}, {5 << 20, 4096, 0x22}, {40 << 20, 1 << 20, 0x33}};

std::vector<std::string> QemuIo(const std::vector<std::string>& commands, const std::string& uri) {
  std::vector<std::string> argv = {"qemu-io", "-f", "raw", "-t", "none"};  // -t none: plain writes, no FUA
  for (const auto& c : commands) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  argv.push_back(uri);
  return argv;
}

TEST(CrashRestartTest, Kill9KeepsBitmapAndJournalOfAcknowledgedWrites) {
  TempDir tmp;
  const fs::path image = tmp / "disk0.img";
  std::ofstream(image).close();
  fs::resize_file(image, kDiskSize);
  const std::vector<std::string> exports = {"disk0=" + image.string()};
  const fs::path state = tmp / "state";
  {
    AgentProcess agent(tmp.path(), state, exports);
    ASSERT_TRUE(agent.started()) << agent.log();
    std::vector<std::string> writes;
    for (const auto& w : kWrites) {
      writes.push_back("write -P " + std::to_string(w.pattern) + " " + std::to_string(w.offset) + " " +
                       std::to_string(w.length));
    }
    RunResult r = RunProgram(QemuIo(writes, agent.uri("disk0")));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    agent.child().Kill(SIGKILL);
    agent.child().Wait();
  }

  // Straight after the crash, before any recovery: the journal reads cleanly up to the last acknowledged write.
  {
    auto reader = journal::JournalReader::Open(state / "disk0" / "journal", 1);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    journal::Record r;
    for (const auto& w : kWrites) {
      Result<bool> next = (*reader)->Next(&r);
      ASSERT_TRUE(next.ok() && *next) << next.status().ToString();
      EXPECT_EQ(r.offset, w.offset);
      EXPECT_EQ(r.length, w.length);
      EXPECT_EQ(std::count(r.data.begin(), r.data.end(), w.pattern), static_cast<long>(w.length));
    }
    Result<bool> end = (*reader)->Next(&r);
    ASSERT_TRUE(end.ok()) << end.status().ToString();
    EXPECT_FALSE(*end);
  }

  // The bitmap file itself already has the blocks, without any journal replay (written word by word).
  {
    auto bitmap = DirtyBitmap::Open(state / "disk0" / "dirty.bitmap", kDiskSize, kGranule);
    ASSERT_TRUE(bitmap.ok()) << bitmap.status().ToString();
    EXPECT_EQ((*bitmap)->recovery(), BitmapRecovery::kAgentCrash);
    EXPECT_EQ((*bitmap)->CountDirtyBlocks(), 2 + (1 << 20) / kGranule);
  }  // left "open", so the agent below still sees an unclean stop

  AgentProcess agent(tmp.path(), state, exports);
  ASSERT_TRUE(agent.started()) << agent.log();
  EXPECT_NE(agent.log().find("unclean stop (agent_crash)"), std::string::npos) << agent.log();
  std::vector<std::string> reads;
  for (const auto& w : kWrites) {
    reads.push_back("read -P " + std::to_string(w.pattern) + " " + std::to_string(w.offset) + " " +
                    std::to_string(w.length));
  }
  RunResult r = RunProgram(QemuIo(reads, agent.uri("disk0")));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("Pattern verification failed"), std::string::npos) << r.out;
  agent.child().Kill(SIGTERM);
  ASSERT_EQ(agent.child().Wait(), 0) << agent.log();

  auto bitmap = DirtyBitmap::Open(state / "disk0" / "dirty.bitmap", kDiskSize, kGranule);
  ASSERT_TRUE(bitmap.ok()) << bitmap.status().ToString();
  EXPECT_EQ((*bitmap)->recovery(), BitmapRecovery::kClean);
  EXPECT_EQ((*bitmap)->DirtyRanges(), (std::vector<DirtyRange>{{0, kGranule}, {5 << 20, kGranule}, {40 << 20, 1 << 20}}));
}

TEST(CrashRestartTest, SecondAgentOnTheSameStateIsRefused) {
  TempDir tmp;
  const fs::path image = tmp / "disk0.img";
  std::ofstream(image).close();
  fs::resize_file(image, kDiskSize);
  AgentProcess first(tmp.path(), tmp / "state", {"disk0=" + image.string()});
  ASSERT_TRUE(first.started()) << first.log();
  fs::create_directory(tmp / "second");
  AgentProcess second(tmp / "second", tmp / "state", {"disk0=" + image.string()});
  EXPECT_FALSE(second.started());
  EXPECT_EQ(second.child().Wait(), 1);
  EXPECT_NE(second.log().find("in use by another agent"), std::string::npos) << second.log();
}

}  // namespace
}  // namespace cdr::agent
