// The sender against an in-process ShadowServer: phases, progress, acks, journal release, refusal.
#include "agent/replication_sender.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "shadow/replica_disk.h"
#include "shadow/shadow_server.h"
#include "tests/shadow/shadow_test_util.h"

namespace cdr::agent {
namespace {

using namespace std::chrono_literals;
using shadow::testing::FilesEqual;
using shadow::testing::PollUntil;
using shadow::testing::TempDir;

constexpr uint64_t kReplicationSenderDisk = 4 << 20;

class ReplicationSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fd = ::open((tmp_ / "disk.img").c_str(), O_RDWR | O_CREAT, 0600);
    ASSERT_EQ(::ftruncate(fd, kReplicationSenderDisk), 0);
    const std::string prefill(256 << 10, 'p');
    ASSERT_EQ(::pwrite(fd, prefill.data(), prefill.size(), 1 << 20), static_cast<ssize_t>(prefill.size()));
    disk_fd_ = fd;
    server_ =
        std::make_unique<shadow::ShadowServer>(shadow::ShadowOptions{"127.0.0.1", 0, tmp_ / "replicas"});
    ASSERT_TRUE(server_->Start().ok());
    JournalOptions options;
    options.segment_bytes = 64 << 10;  // small segments, so acks release some
    auto journal = Journal::Open(tmp_ / "journal", options);
    ASSERT_TRUE(journal.ok());
    journal_ = std::move(*journal);
  }
  void TearDown() override {
    if (sender_) sender_->Stop();
    server_->Stop();
    ::close(disk_fd_);
  }
  ReplicationOptions Options(uint64_t epoch = 5) {
    ReplicationOptions o;
    o.port = static_cast<uint16_t>(std::stoi(server_->address().substr(server_->address().rfind(':') + 1)));
    o.server_id = "web-1";
    o.disk = "disk0";
    o.disk_path = tmp_ / "disk.img";
    o.epoch = epoch;
    return o;
  }
  // A write through the disk and the journal, as the agent's pipeline does it.
  void Write(uint64_t offset, char c, size_t n) {
    const std::vector<uint8_t> data(n, static_cast<uint8_t>(c));
    ASSERT_EQ(::pwrite(disk_fd_, data.data(), n, static_cast<off_t>(offset)), static_cast<ssize_t>(n));
    ASSERT_TRUE(journal_->Append(journal::RecordKind::kWrite, 0, offset, n, data).ok());
  }

  TempDir tmp_;
  int disk_fd_ = -1;
  std::unique_ptr<shadow::ShadowServer> server_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<ReplicationSender> sender_;
};

TEST_F(ReplicationSenderTest, FullSyncThenRealtimeReleasesTheJournal) {
  Write(0, 'a', 4096);  // before the full sync: read from the disk, not streamed
  sender_ = std::make_unique<ReplicationSender>(Options(), journal_.get(), kReplicationSenderDisk, 4096);
  sender_->Start();
  ASSERT_TRUE(PollUntil([&] { return sender_->status().phase == ReplicationPhase::kRealtime; }, 30s));
  EXPECT_EQ(sender_->status().progress_percent, 100.0);
  EXPECT_EQ(sender_->status().acked_seq, 1u);
  EXPECT_EQ(sender_->status().full_sync_bytes_sent, 4096u + (256u << 10));
  for (int i = 0; i < 64; ++i) Write(static_cast<uint64_t>(i) * 8192, static_cast<char>('b' + i % 20), 8192);
  const uint64_t last = journal_->next_seq() - 1;
  ASSERT_TRUE(sender_->WaitForAck(last, 30s));
  const auto replica = shadow::ReplicaDisk::ImagePath(tmp_ / "replicas", "web-1", "disk0");
  ASSERT_TRUE(PollUntil([&] { return FilesEqual(tmp_ / "disk.img", replica); }, 30s));
  ASSERT_TRUE(PollUntil([&] { return journal_->first_seq() > 1; }, 30s))
      << "acked segments were not released";
  // Repetitive data: zstd makes the wire bytes a fraction of the data.
  EXPECT_GT(sender_->status().bytes_sent, 0u);
  EXPECT_LT(sender_->status().bytes_sent, 64u * 8192 / 4);
  EXPECT_EQ(sender_->status().lag_seconds, 0.0);
  sender_->Stop();
  EXPECT_EQ(sender_->status().phase, ReplicationPhase::kStopped);
}

// Async: records gather into one batch until gather_for (here: until the next heartbeat, 1 s after the
// last send) or until 128 wait; a writer waiting for its ACK, or a sync-mode write under way (AckWaiter: a
// FUA write still in its local sync), has its record sent at once.
TEST_F(ReplicationSenderTest, RecordsGatherIntoBatchesUnlessAWriterWaits) {
  ReplicationOptions options = Options();
  options.gather_for = 10s;
  sender_ = std::make_unique<ReplicationSender>(options, journal_.get(), kReplicationSenderDisk, 4096);
  sender_->Start();
  ASSERT_TRUE(PollUntil([&] { return sender_->status().phase == ReplicationPhase::kRealtime; }, 30s));
  using Clock = std::chrono::steady_clock;
  auto waited_for_ack = [&](char c) {
    Write(0, c, 4096);
    const auto start = Clock::now();
    EXPECT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 30s));
    return Clock::now() - start;
  };
  EXPECT_LT(waited_for_ack('w'), 500ms) << "a waiting writer's record was gathered, not sent";
  {
    ReplicationSender::AckWaiter sync_write(sender_.get());
    Write(8192, 's', 4096);
    const uint64_t seq = journal_->next_seq() - 1;
    const auto start = Clock::now();
    ASSERT_TRUE(PollUntil([&] { return sender_->status().acked_seq >= seq; }, 30s));
    EXPECT_LT(Clock::now() - start, 500ms) << "a sync-mode write's record waited for the batch";
  }
  EXPECT_LT(waited_for_ack('v'), 500ms);

  // Just sent: the next heartbeat is a second away, and a lone record waits for it (or for 127 more).
  Write(4096, 'g', 4096);
  const uint64_t lone = journal_->next_seq() - 1;
  EXPECT_FALSE(PollUntil([&] { return sender_->status().acked_seq >= lone; }, 200ms))
      << "a lone record was sent at once";
  ASSERT_TRUE(PollUntil([&] { return sender_->status().acked_seq >= lone; }, 30s));

  EXPECT_LT(waited_for_ack('x'), 500ms);
  for (int i = 0; i < 128; ++i) Write(static_cast<uint64_t>(i) * 4096, 'b', 4096);
  const auto filled = Clock::now();
  const uint64_t last = journal_->next_seq() - 1;
  ASSERT_TRUE(PollUntil([&] { return sender_->status().acked_seq >= last; }, 30s));
  EXPECT_LT(Clock::now() - filled, 500ms) << "the 128th record did not send the batch";
  const auto replica = shadow::ReplicaDisk::ImagePath(tmp_ / "replicas", "web-1", "disk0");
  EXPECT_TRUE(PollUntil([&] { return FilesEqual(tmp_ / "disk.img", replica); }, 30s));
}

// Without compression (or while the backoff skips it) a DATA frame is built around the record's data in
// place; the shadow checks every frame's checksum, so a wrong byte stops the stream instead of reaching the
// replica.
TEST_F(ReplicationSenderTest, UncompressedRecordsReachTheReplicaByteForByte) {
  ReplicationOptions options = Options();
  options.compress = false;
  sender_ = std::make_unique<ReplicationSender>(options, journal_.get(), kReplicationSenderDisk, 4096);
  sender_->Start();
  ASSERT_TRUE(PollUntil([&] { return sender_->status().phase == ReplicationPhase::kRealtime; }, 30s));
  std::vector<uint8_t> data(12288);
  uint32_t x = 12345;
  for (int i = 0; i < 16; ++i) {
    for (uint8_t& b : data) b = static_cast<uint8_t>((x = x * 1103515245 + 12345) >> 16);
    const uint64_t offset = static_cast<uint64_t>(i) * 20480 + 512;  // not block aligned
    ASSERT_EQ(::pwrite(disk_fd_, data.data(), data.size(), static_cast<off_t>(offset)),
              static_cast<ssize_t>(data.size()));
    ASSERT_TRUE(journal_->Append(journal::RecordKind::kWrite, 0, offset, data.size(), data).ok());
  }
  ASSERT_TRUE(journal_->Append(journal::RecordKind::kZero, 0, 4096, 4096, {}).ok());
  const std::vector<uint8_t> zeros(4096, 0);
  ASSERT_EQ(::pwrite(disk_fd_, zeros.data(), zeros.size(), 4096), 4096);
  ASSERT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 30s)) << sender_->status().last_error;
  const auto replica = shadow::ReplicaDisk::ImagePath(tmp_ / "replicas", "web-1", "disk0");
  EXPECT_TRUE(FilesEqual(tmp_ / "disk.img", replica));
  EXPECT_TRUE(sender_->status().last_error.empty()) << sender_->status().last_error;
}

TEST_F(ReplicationSenderTest, RefusedHelloIsAnErrorWithTheReason) {
  sender_ = std::make_unique<ReplicationSender>(Options(5), journal_.get(), kReplicationSenderDisk, 4096);
  sender_->Start();
  ASSERT_TRUE(PollUntil([&] { return sender_->status().phase == ReplicationPhase::kRealtime; }, 30s));
  sender_->Stop();
  sender_ = std::make_unique<ReplicationSender>(Options(6), journal_.get(), kReplicationSenderDisk, 4096);
  sender_->Start();
  ASSERT_TRUE(PollUntil([&] { return sender_->status().phase == ReplicationPhase::kError; }, 30s));
  EXPECT_NE(sender_->status().last_error.find("stale or foreign peer"), std::string::npos)
      << sender_->status().last_error;
}

TEST_F(ReplicationSenderTest, ReconnectsAndResendsAfterTheShadowRestarts) {
  sender_ = std::make_unique<ReplicationSender>(Options(), journal_.get(), kReplicationSenderDisk, 4096);
  sender_->Start();
  ASSERT_TRUE(PollUntil([&] { return sender_->status().phase == ReplicationPhase::kRealtime; }, 30s));
  const std::string address = server_->address();
  server_->Stop();
  Write(2 << 20, 'r', 65536);  // journaled while the link is down
  const uint64_t last = journal_->next_seq() - 1;
  ASSERT_TRUE(PollUntil([&] { return !sender_->status().last_error.empty(); }, 30s));
  const auto port = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  server_ =
      std::make_unique<shadow::ShadowServer>(shadow::ShadowOptions{"127.0.0.1", port, tmp_ / "replicas"});
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(sender_->WaitForAck(last, 30s)) << sender_->status().last_error;
  const auto replica = shadow::ReplicaDisk::ImagePath(tmp_ / "replicas", "web-1", "disk0");
  EXPECT_TRUE(FilesEqual(tmp_ / "disk.img", replica));
}

}  // namespace
}  // namespace cdr::agent
