// Real NBD clients (nbdinfo, nbdcopy, qemu-io) against the real cdr-agent on 127.0.0.1.
#include <filesystem>
#include <fstream>
#include <map>

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "agent/dirty_bitmap.h"
#include "journal/reader.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using namespace cdr::testing;

constexpr uint64_t kNbdClientsDiskSize = 64ull << 20;

class NbdClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [name, size] : {std::pair{"disk0", kNbdClientsDiskSize}, std::pair{"disk1", uint64_t{16} << 20}}) {
      std::ofstream(tmp_ / (std::string(name) + ".img")).close();
      fs::resize_file(tmp_ / (std::string(name) + ".img"), size);
    }
    agent_ = std::make_unique<AgentProcess>(tmp_.path(), state_dir(),
                                            std::vector<std::string>{"disk0=" + (tmp_ / "disk0.img").string(),
                                                                     "disk1=" + (tmp_ / "disk1.img").string()});
    ASSERT_TRUE(agent_->started()) << agent_->log();
  }

  // SIGTERM and wait: the orderly shutdown must succeed (exit 0) and leave the bitmap clean.
  void StopAgent() {
    agent_->child().Kill(SIGTERM);
    EXPECT_EQ(agent_->child().Wait(), 0) << agent_->log();
  }

  fs::path state_dir() const { return tmp_ / "state"; }
  fs::path journal_dir(const std::string& name) const { return state_dir() / name / "journal"; }

  TempDir tmp_;
  std::unique_ptr<AgentProcess> agent_;
};

TEST_F(NbdClientsTest, NbdinfoShowsSizeAndCapabilities) {
  RunResult r = RunProgram({"nbdinfo", "--json", agent_->uri("disk0")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto info = nlohmann::json::parse(r.out);
  EXPECT_EQ(info["protocol"], "newstyle-fixed");
  ASSERT_EQ(info["exports"].size(), 1u);
  const auto& e = info["exports"][0];
  EXPECT_EQ(e["export-name"], "disk0");
  EXPECT_EQ(e["export-size"], kNbdClientsDiskSize);
  for (const char* flag : {"can_flush", "can_fua", "can_trim", "can_zero", "can_multi_conn"}) {
    EXPECT_EQ(e[flag], true) << flag;
  }
  EXPECT_EQ(e["is_read_only"], false);
  EXPECT_EQ(e["block_size_preferred"], 4096);
  EXPECT_EQ(e["block_size_maximum"], 32 << 20);
}

TEST_F(NbdClientsTest, NbdinfoListsEveryExport) {
  RunResult r = RunProgram({"nbdinfo", "--list", "--json", "nbd://127.0.0.1:" + std::to_string(agent_->port())});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto info = nlohmann::json::parse(r.out);
  std::map<std::string, uint64_t> sizes;
  for (const auto& e : info["exports"]) sizes[e["export-name"]] = e["export-size"];
  EXPECT_EQ(sizes, (std::map<std::string, uint64_t>{{"disk0", kNbdClientsDiskSize}, {"disk1", 16ull << 20}}));
}

TEST_F(NbdClientsTest, UnknownExportIsRefused) {
  RunResult r = RunProgram({"nbdinfo", agent_->uri("nope")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

// nbdcopy in and out, then replay the journal onto a blank image: the journal alone rebuilds the disk, which is
// what the shadow host will do with it.
TEST_F(NbdClientsTest, NbdcopyRoundTripAndJournalRebuildsTheDisk) {
  constexpr size_t kBytes = 8 << 20;
  WriteRandomFile(tmp_ / "src.bin", kBytes, 42);
  RunResult in = RunProgram({"nbdcopy", (tmp_ / "src.bin").string(), agent_->uri("disk0")});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  RunResult out = RunProgram({"nbdcopy", agent_->uri("disk0"), (tmp_ / "out.bin").string()});
  ASSERT_EQ(out.exit_code, 0) << out.err;

  const std::string src = ReadFile(tmp_ / "src.bin");
  const std::string back = ReadFile(tmp_ / "out.bin");
  ASSERT_EQ(back.size(), kNbdClientsDiskSize);
  EXPECT_TRUE(back.compare(0, kBytes, src) == 0) << "data read back differs";
  EXPECT_EQ(back.find_first_not_of('\0', kBytes), std::string::npos);
  EXPECT_TRUE(ReadFile(tmp_ / "disk0.img") == back) << "backing file differs from what was read";
  StopAgent();

  auto reader = journal::JournalReader::Open(journal_dir("disk0"), 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string replica(kNbdClientsDiskSize, '\0');
  std::map<uint64_t, uint64_t> covered;  // offset → end, merged
  journal::Record r;
  size_t records = 0;
  while (true) {
    Result<bool> next = (*reader)->Next(&r);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!*next) break;
    ++records;
    ASSERT_EQ(r.kind, journal::RecordKind::kWrite);
    replica.replace(r.offset, r.length, reinterpret_cast<const char*>(r.data.data()), r.data.size());
    covered[r.offset] = std::max(covered[r.offset], r.offset + r.length);
  }
  EXPECT_GT(records, 0u);
  uint64_t end = 0;
  for (const auto& [offset, range_end] : covered) {
    EXPECT_LE(offset, end) << "gap in the journal before " << offset;
    end = std::max(end, range_end);
  }
  EXPECT_EQ(end, kBytes) << "journal covers more or less than what was written";
  EXPECT_TRUE(replica == back) << "journal replay differs from the disk";

  auto bitmap = DirtyBitmap::Open(state_dir() / "disk0" / "dirty.bitmap", kNbdClientsDiskSize, 64 * 1024);
  ASSERT_TRUE(bitmap.ok()) << bitmap.status().ToString();
  EXPECT_EQ((*bitmap)->recovery(), BitmapRecovery::kClean);
  EXPECT_EQ((*bitmap)->DirtyRanges(), (std::vector<DirtyRange>{{0, kBytes}}));
}

// base:allocation: the agent's map of a sparse disk is the map `nbdkit file` gives of the same file, and
// nbdcopy skips the holes (the copy is as sparse as the disk).
TEST_F(NbdClientsTest, NbdinfoMapListsTheSameExtentsAsNbdkitFileAndNbdcopySkipsHoles) {
  if (RunProgram({"sh", "-c", "command -v nbdkit && command -v qemu-io"}).exit_code != 0) {
    GTEST_SKIP() << "nbdkit or qemu-io is not installed";
  }
  RunResult w = RunProgram({"qemu-io", "-f", "raw", "-t", "none", "-c", "write -P 0xab 1M 1M", "-c",
                            "write -P 0xcd 40M 64k", "-c", "write -P 0xef 50M 2M", "-c", "write -z 50M 512k",
                            agent_->uri("disk0")});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  RunResult agent_map = RunProgram({"nbdinfo", "--map", agent_->uri("disk0")});
  ASSERT_EQ(agent_map.exit_code, 0) << agent_map.err;
  RunResult nbdkit_map = RunProgram({"nbdkit", "-r", "-U", "-", "file", (tmp_ / "disk0.img").string(), "--run",
                                     "nbdinfo --map \"$uri\""});
  ASSERT_EQ(nbdkit_map.exit_code, 0) << nbdkit_map.err;
  EXPECT_EQ(agent_map.out, nbdkit_map.out);
  EXPECT_NE(agent_map.out.find("hole,zero"), std::string::npos) << agent_map.out;
  EXPECT_NE(agent_map.out.find("data"), std::string::npos) << agent_map.out;

  RunResult copy = RunProgram({"nbdcopy", agent_->uri("disk0"), (tmp_ / "copy.img").string()});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_TRUE(ReadFile(tmp_ / "copy.img") == ReadFile(tmp_ / "disk0.img"));
  struct stat st {};
  ASSERT_EQ(::stat((tmp_ / "copy.img").c_str(), &st), 0);
  // 3.1 MiB of data in a 64 MiB disk: the copy allocates about that much, not the whole disk.
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 8ull << 20);
}

TEST_F(NbdClientsTest, QemuIoWritesReadsZeroesAndDiscards) {
  RunResult r = RunProgram({"qemu-io", "-f", "raw", "-c", "write -P 0xab 0 64k", "-c", "read -P 0xab 0 64k", "-c",
                     "write -f -P 0xcd 1M 4k", "-c", "write -z 2M 128k", "-c", "discard 4M 1M", "-c",
                     "read -P 0 2M 128k", "-c", "flush", agent_->uri("disk0")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("Pattern verification failed"), std::string::npos) << r.out;
  StopAgent();

  auto reader = journal::JournalReader::Open(journal_dir("disk0"), 1);
  ASSERT_TRUE(reader.ok());
  using T = std::tuple<journal::RecordKind, uint64_t, uint64_t>;
  std::vector<T> seen;
  std::vector<uint16_t> flags;
  journal::Record rec;
  while (*(*reader)->Next(&rec)) {
    seen.emplace_back(rec.kind, rec.offset, rec.length);
    flags.push_back(rec.flags);
  }
  EXPECT_EQ(seen, (std::vector<T>{{journal::RecordKind::kWrite, 0, 65536},
                                  {journal::RecordKind::kWrite, 1 << 20, 4096},
                                  {journal::RecordKind::kZero, 2 << 20, 128 << 10},
                                  {journal::RecordKind::kTrim, 4 << 20, 1 << 20}}));
  // qemu-io writes through (FUA on every write) and `write -z` without -u must not punch (NO_HOLE).
  ASSERT_EQ(flags.size(), 4u);
  EXPECT_TRUE(flags[1] & journal::kRecordFlagFua);
  EXPECT_TRUE(flags[2] & journal::kRecordFlagNoHole);
}

}  // namespace
}  // namespace cdr::agent
