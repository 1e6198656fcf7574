#include "shadow/replica_disk.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include "journal/reader.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::shadow {
namespace {

using testing::ReadFile;
using testing::TempDir;
namespace fs = std::filesystem;

constexpr uint64_t kSize = 1 << 20;

wire::Hello MakeHello(uint64_t epoch = 7, uint64_t size = kSize) {
  return {"web-1", "disk0", size, 4096, epoch, 0};
}

std::unique_ptr<ReplicaDisk> OpenOrDie(const TempDir& dir, const wire::Hello& hello) {
  auto r = ReplicaDisk::Open(dir.path(), hello);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return nullptr;
  (*r)->set_checkpoint_interval(std::chrono::hours(1));  // a slow moment of the machine is no checkpoint
  return std::move(*r);
}

// Full sync done with nothing to copy: the replica is at base seq 0.
void FinishFullSync(ReplicaDisk& disk) {
  ASSERT_TRUE(disk.ApplyExtent({kSize, kSize, 0, {}}).ok());
  ASSERT_TRUE(disk.Commit().ok());
}

// applied_seq in the state file itself (testing::ReadShadowState adds the CDP log's tail).
uint64_t StateFileSeq(const TempDir& dir) {
  Result<ReplicaState> s = LoadReplicaState(ReplicaDisk::StatePath(dir.path(), "web-1", "disk0"));
  return s.ok() ? s->applied_seq : ~0ull;
}

wire::DataRecord Write(uint64_t seq, uint64_t offset, const std::vector<uint8_t>& data) {
  return {journal::RecordKind::kWrite, 0, seq, 1000 + seq, offset, data.size(), XXH3_64bits(data.data(), data.size()), data};
}

TEST(ReplicaDiskTest, RefusesAnotherEpochOrDiskSize) {
  TempDir dir;
  ASSERT_NE(OpenOrDie(dir, MakeHello()), nullptr);
  auto other_epoch = ReplicaDisk::Open(dir.path(), MakeHello(8));
  ASSERT_FALSE(other_epoch.ok());
  EXPECT_EQ(other_epoch.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(other_epoch.status().message().find("stale or foreign peer"), std::string::npos);
  auto other_size = ReplicaDisk::Open(dir.path(), MakeHello(7, 2 * kSize));
  ASSERT_FALSE(other_size.ok());
  EXPECT_NE(other_size.status().message().find("disk size changed"), std::string::npos);
  EXPECT_FALSE(ReplicaDisk::Open(dir.path(), {"../x", "disk0", kSize, 4096, 7, 0}).ok());
  EXPECT_NE(OpenOrDie(dir, MakeHello()), nullptr);
}

TEST(ReplicaDiskTest, AppliesInOrderSkipsResendsAndPersistsOnCommit) {
  TempDir dir;
  auto disk = OpenOrDie(dir, MakeHello());
  FinishFullSync(*disk);
  const std::vector<uint8_t> a(4096, 'a'), b(8192, 'b');
  ASSERT_TRUE(disk->ApplyData(Write(1, 0, a)).ok());
  ASSERT_TRUE(disk->ApplyData(Write(2, 65536, b)).ok());
  ASSERT_TRUE(disk->ApplyData(Write(1, 0, std::vector<uint8_t>(4096, 'z'))).ok());  // resend: skipped
  EXPECT_EQ(disk->ApplyData(Write(4, 0, a)).code(), StatusCode::kInvalidArgument);  // gap
  wire::DataRecord corrupt = Write(3, 0, a);
  corrupt.checksum ^= 1;
  EXPECT_EQ(disk->ApplyData(corrupt).code(), StatusCode::kDataLoss);
  EXPECT_EQ(StateFileSeq(dir), 0u);
  ASSERT_TRUE(disk->Commit().ok());  // realtime: the CDP log's sync; the state file follows at a checkpoint
  EXPECT_EQ(StateFileSeq(dir), 0u);
  EXPECT_EQ(testing::ReadShadowState(dir.path(), "web-1", "disk0")->applied_seq, 2u);
  ASSERT_TRUE(disk->Checkpoint().ok());
  EXPECT_EQ(StateFileSeq(dir), 2u);
  const std::string image = ReadFile(ReplicaDisk::ImagePath(dir.path(), "web-1", "disk0"));
  ASSERT_EQ(image.size(), kSize);
  EXPECT_EQ(image.substr(0, 4096), std::string(4096, 'a'));
  EXPECT_EQ(image.substr(65536, 8192), std::string(8192, 'b'));
  ASSERT_TRUE(disk->ApplyData({journal::RecordKind::kTrim, 0, 3, 0, 65536, 4096, 0, {}}).ok());  // trim
  ASSERT_TRUE(disk->Commit().ok());
  EXPECT_EQ(ReadFile(ReplicaDisk::ImagePath(dir.path(), "web-1", "disk0")).substr(65536, 4096),
            std::string(4096, '\0'));
}

TEST(ReplicaDiskTest, CdpLogIsReadableByTheJournalReaderAndSkipsDuplicates) {
  TempDir dir;
  {
    auto disk = OpenOrDie(dir, MakeHello());
    FinishFullSync(*disk);
    ASSERT_TRUE(disk->ApplyData(Write(1, 0, std::vector<uint8_t>(512, 'x'))).ok());
    ASSERT_TRUE(disk->ApplyData(Write(2, 4096, std::vector<uint8_t>(512, 'y'))).ok());
    // Closed before the commit: the state file still says 0, but the CDP log holds both (its close writes
    // what it gathered): the reopen redoes them, and the agent's resends are skipped.
  }
  auto disk = OpenOrDie(dir, MakeHello());
  EXPECT_EQ(disk->state().applied_seq, 2u);
  EXPECT_EQ(StateFileSeq(dir), 2u);
  ASSERT_TRUE(disk->ApplyData(Write(1, 0, std::vector<uint8_t>(512, 'x'))).ok());
  ASSERT_TRUE(disk->ApplyData(Write(2, 4096, std::vector<uint8_t>(512, 'y'))).ok());
  ASSERT_TRUE(disk->ApplyData(Write(3, 8192, std::vector<uint8_t>(512, 'z'))).ok());
  ASSERT_TRUE(disk->Commit().ok());
  auto reader = journal::JournalReader::Open(dir / "web-1/disk0.cdp", 1);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  journal::Record record;
  std::vector<uint64_t> seqs;
  while (true) {
    Result<bool> got = (*reader)->Next(&record);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (!*got) break;
    seqs.push_back(record.seq);
    EXPECT_EQ(record.time_ns, 1000 + record.seq);
  }
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3}));
}

// The proof of the log-only commit: acknowledged records whose image writes were lost (a host crash after the
// CDP log's fdatasync, before the image's) are written into the image again from the log at the next Open.
TEST(ReplicaDiskTest, LogOnlyCommitIsRedoneFromTheCdpLogAfterACrash) {
  TempDir dir;
  const fs::path image = ReplicaDisk::ImagePath(dir.path(), "web-1", "disk0");
  {
    auto disk = OpenOrDie(dir, MakeHello());
    FinishFullSync(*disk);
    ASSERT_TRUE(disk->ApplyData(Write(1, 0, std::vector<uint8_t>(4096, 'a'))).ok());
    ASSERT_TRUE(disk->ApplyData(Write(2, 8192, std::vector<uint8_t>(4096, 'b'))).ok());
    ASSERT_TRUE(disk->ApplyData({journal::RecordKind::kZero, 0, 3, 1003, 0, 4096, 0, {}}).ok());
    ASSERT_TRUE(disk->Commit().ok());
    EXPECT_EQ(disk->state().applied_seq, 3u);
    EXPECT_EQ(StateFileSeq(dir), 0u);
  }
  {  // the image writes lost: garbage where the records wrote
    std::fstream f(image, std::ios::in | std::ios::out | std::ios::binary);
    const std::string junk(12288, 'j');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto disk = OpenOrDie(dir, MakeHello());
  EXPECT_EQ(disk->state().applied_seq, 3u);
  EXPECT_EQ(StateFileSeq(dir), 3u);
  EXPECT_FALSE(disk->state().repair_in_progress);
  const std::string content = ReadFile(image);
  EXPECT_EQ(content.substr(0, 4096), std::string(4096, '\0'));   // seq 1 written, then zeroed by seq 3
  EXPECT_EQ(content.substr(4096, 4096), std::string(4096, 'j'));  // no record there: not touched
  EXPECT_EQ(content.substr(8192, 4096), std::string(4096, 'b'));
}

// A log that cannot redo what the state file lacks (its first segment gone) is never trusted: the replica asks
// for a repair.
TEST(ReplicaDiskTest, ALogThatCannotBeReplayedAsksForARepair) {
  TempDir dir;
  ::setenv("CDR_CDP_SEGMENT_BYTES", "1048576", 1);
  {
    auto disk = OpenOrDie(dir, MakeHello());
    FinishFullSync(*disk);
    for (uint64_t seq = 1; seq <= 5; ++seq) {  // 256 KiB each: two segments
      ASSERT_TRUE(disk->ApplyData(Write(seq, 0, std::vector<uint8_t>(256 << 10, 'a'))).ok());
    }
    ASSERT_TRUE(disk->Commit().ok());
  }
  ::unsetenv("CDR_CDP_SEGMENT_BYTES");
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(dir / "web-1/disk0.cdp")) segments.push_back(e.path());
  ASSERT_EQ(segments.size(), 2u);
  std::sort(segments.begin(), segments.end());
  fs::remove(segments.front());
  auto disk = OpenOrDie(dir, MakeHello());
  EXPECT_TRUE(disk->state().repair_in_progress);
  EXPECT_TRUE(testing::ReadShadowState(dir.path(), "web-1", "disk0")->repair_in_progress);
}

TEST(ReplicaDiskTest, FullSyncExtentsZeroTheGapsAndFinishAtTheBaseSeq) {
  TempDir dir;
  auto disk = OpenOrDie(dir, MakeHello());
  // An old replica with stale data where the source is now zero.
  ASSERT_TRUE(disk->ApplyExtent({0, 4096, 5, std::vector<uint8_t>(4096, 's')}).ok());
  ASSERT_TRUE(disk->Commit().ok());
  const std::vector<uint8_t> data(4096, 'd');
  EXPECT_FALSE(disk->ApplyExtent({0, 8192, 5, data}).ok());  // behind the cursor
  ASSERT_TRUE(disk->ApplyExtent({65536, 131072, 5, data}).ok());
  EXPECT_EQ(disk->ApplyData(Write(6, 0, data)).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(disk->ApplyExtent({kSize, kSize, 5, {}}).ok());
  ASSERT_TRUE(disk->Commit().ok());
  auto state = testing::ReadShadowState(dir.path(), "web-1", "disk0");
  EXPECT_TRUE(state->full_sync_done);
  EXPECT_EQ(state->applied_seq, 5u);
  const std::string image = ReadFile(ReplicaDisk::ImagePath(dir.path(), "web-1", "disk0"));
  EXPECT_EQ(image.substr(0, 4096), std::string(4096, 's'));
  EXPECT_EQ(image.substr(65536, 4096), std::string(4096, 'd'));
  EXPECT_EQ(image.find_first_not_of('\0', 65536 + 4096), std::string::npos);
}

}  // namespace
}  // namespace cdr::shadow
