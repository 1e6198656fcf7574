#include "agent/journal_layer.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include "agent/file_backend.h"
#include "tests/support/process_test_util.h"

namespace cdr::agent {
namespace {
namespace fs = std::filesystem;
using testing::TempDir;

// The disk file below the journal layer, noting which journal seqs existed when it was asked to be durable.
class SyncWatcher : public ForwardingDevice {
 public:
  SyncWatcher(std::unique_ptr<BlockDevice> next, const Journal* journal)
      : ForwardingDevice(std::move(next)), journal_(journal) {}
  Status Write(uint64_t offset, std::span<const uint8_t> data, bool fua) override {
    fua_writes_ += fua ? 1 : 0;
    return next().Write(offset, data, fua);
  }
  Status Flush() override {
    next_seq_at_flush_.push_back(journal_->next_seq());
    return next().Flush();
  }
  std::vector<uint64_t> next_seq_at_flush_;
  int fua_writes_ = 0;

 private:
  const Journal* journal_;
};

// Sync mode's replica write starts when the record is appended (the sender's wake-up); it must not wait for the
// local disk's fdatasync, so the layer appends first and syncs the file after.
TEST(JournalLayerTest, AFuaWriteIsJournaledBeforeTheFileIsSynced) {
  TempDir tmp;
  const fs::path disk = tmp / "disk.img";
  std::ofstream(disk).close();
  fs::resize_file(disk, 1 << 20);
  auto journal = Journal::Open(tmp / "journal", JournalOptions{});
  ASSERT_TRUE(journal.ok()) << journal.status().ToString();
  std::shared_ptr<Journal> shared = std::move(*journal);
  auto file = FileBackend::Open(disk);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto watcher = std::make_unique<SyncWatcher>(std::move(*file), shared.get());
  SyncWatcher* seen = watcher.get();
  JournalLayer layer(std::move(watcher), shared);

  const std::vector<uint8_t> data(4096, 0x5a);
  ASSERT_TRUE(layer.Write(8192, data, /*fua=*/true).ok());
  ASSERT_TRUE(layer.WriteZeroes(0, 4096, true, /*fua=*/true).ok());
  ASSERT_TRUE(layer.Trim(4096, 4096, /*fua=*/true).ok());
  EXPECT_EQ(seen->fua_writes_, 0);  // the file is made durable by the flush that follows the append
  // seq 1 is the write: the flush for it ran once it was appended (next seq 2), and so on.
  EXPECT_EQ(seen->next_seq_at_flush_, (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(shared->next_seq(), 4u);
}

}  // namespace
}  // namespace cdr::agent
