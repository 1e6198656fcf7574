// Error states and repair of the sender against a real shadow (in-process, or the cdr-shadow binary where it
// is killed), through a TCP proxy that cuts the link: outage shorter and longer than the window, journal full,
// initial_error, and a shadow killed in the middle of a repair.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "agent/dirty_bitmap.h"
#include "agent/replication_sender.h"
#include "shadow/replica_disk.h"
#include "shadow/shadow_server.h"
#include "tests/shadow/shadow_test_util.h"
#include "tests/support/tcp_proxy.h"

namespace cdr::agent {
namespace {

using namespace std::chrono_literals;
using shadow::testing::FilesEqual;
using shadow::testing::PollUntil;
using shadow::testing::ReadShadowState;
using shadow::testing::ShadowProcess;
using shadow::testing::TempDir;
using cdr::testing::TcpProxy;

constexpr uint64_t kReplicationRepairDisk = 32 << 20;
constexpr uint32_t kReplicationRepairBlock = 4096;

// What this process logs through spdlog while it lives.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1024)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  std::string Text() const {
    std::string text;
    for (const std::string& line : sink_->last_formatted()) text += line;
    return text;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

class ReplicationRepairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_fd_ = ::open((tmp_ / "disk.img").c_str(), O_RDWR | O_CREAT, 0600);
    ASSERT_EQ(::ftruncate(disk_fd_, kReplicationRepairDisk), 0);
    // Random data over the whole disk: every range differs after random block changes, the worst case for
    // the hash traffic, and nothing compresses.
    std::vector<uint8_t> chunk(1 << 20);
    for (uint64_t off = 0; off < kReplicationRepairDisk; off += chunk.size()) {
      for (auto& b : chunk) b = static_cast<uint8_t>(rng_());
      ASSERT_EQ(::pwrite(disk_fd_, chunk.data(), chunk.size(), static_cast<off_t>(off)),
                static_cast<ssize_t>(chunk.size()));
    }
    OpenJournal(1ull << 30);
  }
  void TearDown() override {
    if (sender_) sender_->Stop();
    proxy_.reset();
    if (server_) server_->Stop();
    ::close(disk_fd_);
  }
  void OpenJournal(uint64_t max_bytes) {
    journal_.reset();
    JournalOptions options;
    options.segment_bytes = 64 << 10;
    options.max_bytes = max_bytes;
    auto journal = Journal::Open(tmp_ / "journal", options);
    ASSERT_TRUE(journal.ok()) << journal.status().ToString();
    journal_ = std::move(*journal);
  }
  void StartShadow() {
    server_ = std::make_unique<shadow::ShadowServer>(shadow::ShadowOptions{"127.0.0.1", 0, tmp_ / "replicas"});
    ASSERT_TRUE(server_->Start().ok());
    const std::string a = server_->address();
    proxy_ = std::make_unique<TcpProxy>(std::stoi(a.substr(a.rfind(':') + 1)));
    ASSERT_NE(proxy_->port(), 0);
  }
  ReplicationOptions Options(int port) {
    ReplicationOptions o;
    o.port = static_cast<uint16_t>(port);
    o.server_id = "web-1";
    o.disk = "disk0";
    o.disk_path = tmp_ / "disk.img";
    o.epoch = 5;
    return o;
  }
  void StartSender(ReplicationOptions o) {
    sender_ = std::make_unique<ReplicationSender>(std::move(o), journal_.get(), kReplicationRepairDisk, kReplicationRepairBlock);
    sender_->Start();
  }
  ReplicationPhase Phase() { return sender_->status().phase; }
  bool WaitPhase(ReplicationPhase phase, std::chrono::milliseconds deadline = 60s) {
    return PollUntil([&] { return Phase() == phase; }, deadline);
  }
  // A write through the disk and the journal, as the agent's pipeline does it (journal refusals ignored,
  // as JournalLayer does: the local write succeeds regardless).
  void Write(uint64_t offset, const std::vector<uint8_t>& data, bool journaled = true) {
    ASSERT_EQ(::pwrite(disk_fd_, data.data(), data.size(), static_cast<off_t>(offset)),
              static_cast<ssize_t>(data.size()));
    if (journaled) (void)journal_->Append(journal::RecordKind::kWrite, 0, offset, data.size(), data);
  }
  // Overwrites `fraction` of the disk's blocks, chosen at random, with random data; returns the bytes changed.
  uint64_t ChangeRandomBlocks(double fraction, bool journaled = true) {
    std::set<uint64_t> blocks;
    const uint64_t count = static_cast<uint64_t>(kReplicationRepairDisk / kReplicationRepairBlock * fraction);
    while (blocks.size() < count) blocks.insert(rng_() % (kReplicationRepairDisk / kReplicationRepairBlock));
    std::vector<uint8_t> data(kReplicationRepairBlock);
    for (uint64_t block : blocks) {
      for (auto& b : data) b = static_cast<uint8_t>(rng_());
      Write(block * kReplicationRepairBlock, data, journaled);
    }
    return count * kReplicationRepairBlock;
  }
  std::filesystem::path Replica() const {
    return shadow::ReplicaDisk::ImagePath(tmp_ / "replicas", "web-1", "disk0");
  }
  bool ReplicaEqual() { return FilesEqual(tmp_ / "disk.img", Replica()); }
  // Repair bytes allowed for `changed` bytes: the repair benchmark's target.
  static uint64_t RepairBound(uint64_t changed) { return changed + changed / 10 + kReplicationRepairDisk / 100; }

  TempDir tmp_;
  std::mt19937_64 rng_{42};
  int disk_fd_ = -1;
  std::unique_ptr<shadow::ShadowServer> server_;
  std::unique_ptr<TcpProxy> proxy_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<ReplicationSender> sender_;
};

TEST_F(ReplicationRepairTest, LinkCutShorterThanTheWindowIsNoErrorAndLosesNothing) {
  StartShadow();
  ReplicationOptions o = Options(proxy_->port());
  o.outage_window = 4s;
  StartSender(o);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  proxy_->Cut();
  ASSERT_TRUE(PollUntil([&] { return !sender_->status().link_up; }, 30s));
  ChangeRandomBlocks(0.01);
  const uint64_t last = journal_->next_seq() - 1;
  // The lag grows while the link is down, even with nothing in flight.
  ASSERT_TRUE(PollUntil([&] { return sender_->status().lag_seconds > 0.3; }, 10s));
  EXPECT_FALSE(PollUntil([&] { return Phase() == ReplicationPhase::kError; }, 1s));
  proxy_->Restore();
  ASSERT_TRUE(sender_->WaitForAck(last, 60s)) << sender_->status().last_error;
  EXPECT_EQ(Phase(), ReplicationPhase::kRealtime);
  EXPECT_TRUE(ReplicaEqual());
  EXPECT_EQ(sender_->status().repair_bytes_sent, 0u);
}

TEST_F(ReplicationRepairTest, OutageLongerThanTheWindowIsAnErrorAndStartRepairSendsOnlyChangedBlocks) {
  StartShadow();
  ReplicationOptions o = Options(proxy_->port());
  o.outage_window = 1s;
  o.auto_restart = false;
  StartSender(o);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  proxy_->Cut();
  ChangeRandomBlocks(0.02);  // journaled, but lost with the journal reset of the error
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kError, 30s));
  ReplicationStatus error = sender_->status();
  EXPECT_NE(error.last_error.find("outage window"), std::string::npos) << error.last_error;
  EXPECT_EQ(error.journal_bytes, journal_->total_bytes());
  const uint64_t changed = ChangeRandomBlocks(0.03) + uint64_t{kReplicationRepairDisk / kReplicationRepairBlock / 50} * kReplicationRepairBlock;  // writes go on
  ASSERT_TRUE(PollUntil([&] { return sender_->status().lag_seconds > error.lag_seconds + 0.2; }, 10s));
  proxy_->Restore();
  // Without auto_restart the error stays until an operator asks for the repair.
  EXPECT_FALSE(PollUntil([&] { return Phase() != ReplicationPhase::kError; }, 1500ms));
  const uint64_t wire_before = sender_->status().bytes_sent;
  sender_->StartRepair();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  ChangeRandomBlocks(0.001);  // realtime again
  ASSERT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 60s));
  EXPECT_TRUE(ReplicaEqual());
  const ReplicationStatus done = sender_->status();
  EXPECT_GT(done.repair_bytes_sent, 0u);
  EXPECT_LE(done.repair_bytes_sent, RepairBound(changed)) << "changed " << changed;
  EXPECT_LE(done.bytes_sent - wire_before, RepairBound(changed) + (4u << 20)) << "hashes and frames included";
  EXPECT_EQ(done.progress_percent, 100.0);
}

TEST_F(ReplicationRepairTest, AutoRestartRepairsByItselfWhenTheLinkReturns) {
  StartShadow();
  ReplicationOptions o = Options(proxy_->port());
  o.outage_window = 1s;
  StartSender(o);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  proxy_->Cut();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kError, 30s));
  const uint64_t changed = ChangeRandomBlocks(0.05);
  proxy_->Restore();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  ASSERT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 60s));
  EXPECT_TRUE(ReplicaEqual());
  EXPECT_LE(sender_->status().repair_bytes_sent, RepairBound(changed));
  EXPECT_GE(sender_->status().repair_bytes_sent, changed * 9 / 10);
}

TEST_F(ReplicationRepairTest, JournalFullIsAnErrorAndTheRepairCatchesUp) {
  OpenJournal(512 << 10);
  StartShadow();
  StartSender(Options(proxy_->port()));
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  proxy_->Cut();
  // 816 KiB: past the journal's 512 KiB bound but under twice it, so however the error's reset falls between
  // these writes, the ones after it cannot fill the journal again.
  const uint64_t changed = ChangeRandomBlocks(0.025);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kError, 30s));
  EXPECT_NE(sender_->status().last_error.find("journal full"), std::string::npos) << sender_->status().last_error;
  EXPECT_FALSE(journal_->full()) << "the error resets the journal";
  proxy_->Restore();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  ASSERT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 60s));
  EXPECT_TRUE(ReplicaEqual());
  EXPECT_LE(sender_->status().repair_bytes_sent, RepairBound(changed));
}

TEST_F(ReplicationRepairTest, InitialErrorRepairsWritesTheJournalNeverSaw) {
  StartShadow();
  StartSender(Options(proxy_->port()));
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  sender_->Stop();
  // A host crash: writes on the disk that neither the journal nor the bitmap recorded.
  const uint64_t changed = ChangeRandomBlocks(0.05, /*journaled=*/false);
  ReplicationOptions o = Options(proxy_->port());
  o.initial_error = "host crashed: writes may be missing from the bitmap";
  StartSender(o);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  EXPECT_TRUE(ReplicaEqual());
  EXPECT_GE(sender_->status().repair_bytes_sent, changed);
  EXPECT_LE(sender_->status().repair_bytes_sent, RepairBound(changed));
}

// Failback's seeded replica: an image put in the replica directory before any state (a copy of the disk that has
// drifted) is compared block by block on a compare-first start; only what differs travels, never a full sync.
TEST_F(ReplicationRepairTest, CompareFirstIntoASeededImageSendsOnlyTheDifferingBlocks) {
  std::filesystem::create_directories(Replica().parent_path());
  std::filesystem::copy_file(tmp_ / "disk.img", Replica());
  const uint64_t changed = ChangeRandomBlocks(0.02, /*journaled=*/false);
  StartShadow();
  ReplicationOptions o = Options(proxy_->port());
  o.compare_first = true;
  StartSender(o);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  ChangeRandomBlocks(0.001);  // realtime goes on from the repair's base
  ASSERT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 60s));
  EXPECT_TRUE(ReplicaEqual());
  const ReplicationStatus done = sender_->status();
  EXPECT_EQ(done.full_sync_bytes_sent, 0u);
  EXPECT_GT(done.repair_bytes_sent, 0u);
  EXPECT_LE(done.repair_bytes_sent, RepairBound(changed)) << "changed " << changed;
  EXPECT_EQ(done.repair_compared_bytes, kReplicationRepairDisk);
}

// Failback with the DR host's change map: the blocks it marks (and those this agent's own bitmap marks) are
// sent without a compare, nothing is hashed, and the replica equals the disk. A block the map marks that
// reads as zeroes goes as a zero run: the replica's old data there is gone too.
TEST_F(ReplicationRepairTest, SeededImageWithAChangeMapGetsTheMarkedBlocksUncompared) {
  std::filesystem::create_directories(Replica().parent_path());
  std::filesystem::copy_file(tmp_ / "disk.img", Replica());
  std::vector<uint8_t> data(256 << 10);
  for (auto& b : data) b = static_cast<uint8_t>(rng_());
  Write((1 << 20) + 8192, data, /*journaled=*/false);                         // inside one range
  Write((10 << 20) - (64 << 10), data, /*journaled=*/false);                  // across two
  Write(20 << 20, std::vector<uint8_t>(kReplicationRepairBlock * 3, 0), /*journaled=*/false);  // zeroes
  Write(kReplicationRepairDisk - kReplicationRepairBlock, std::vector<uint8_t>(data.begin(), data.begin() + kReplicationRepairBlock), false);  // the last block
  auto own = DirtyBitmap::Open(tmp_ / "own.bitmap", kReplicationRepairDisk, kReplicationRepairBlock);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  Write(30 << 20, std::vector<uint8_t>(data.begin(), data.begin() + 2 * kReplicationRepairBlock),
        false);  // "through the agent"
  ASSERT_TRUE((*own)->Mark(30 << 20, 2 * kReplicationRepairBlock).ok());
  StartShadow();
  ReplicationOptions o = Options(proxy_->port());
  o.compare_first = true;
  o.seed_scope.usable = true;
  o.seed_scope.why = "test map";
  o.seed_scope.ranges = {{(1 << 20) + 8192, data.size()},
                         {(10 << 20) - (64 << 10), data.size()},
                         {20 << 20, kReplicationRepairBlock * 3},
                         {kReplicationRepairDisk - kReplicationRepairBlock, kReplicationRepairBlock}};
  o.own_bitmap = own->get();
  StartSender(o);
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  EXPECT_TRUE(ReplicaEqual());
  const ReplicationStatus done = sender_->status();
  EXPECT_EQ(done.full_sync_bytes_sent, 0u);
  EXPECT_EQ(done.repair_compared_bytes, 0u);
  EXPECT_EQ(done.repair_bytes_sent, 2 * data.size() + kReplicationRepairBlock + 2 * kReplicationRepairBlock) << "the marked non-zero blocks";
  ChangeRandomBlocks(0.001);  // realtime goes on from the repair's base
  ASSERT_TRUE(sender_->WaitForAck(journal_->next_seq() - 1, 60s));
  EXPECT_TRUE(ReplicaEqual());
}

TEST_F(ReplicationRepairTest, RecordsLostAfterAResetAreARepairNeverASilentGap) {
  StartShadow();
  StartSender(Options(proxy_->port()));
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  sender_->Stop();
  ChangeRandomBlocks(0.01);
  ASSERT_TRUE(journal_->Reset().ok());  // e.g. an error before an agent restart
  ReplicationOptions o = Options(proxy_->port());
  o.auto_restart = false;
  sender_ = std::make_unique<ReplicationSender>(o, journal_.get(), kReplicationRepairDisk, kReplicationRepairBlock);
  sender_->Start();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kError, 30s));
  EXPECT_NE(sender_->status().last_error.find("no longer holds"), std::string::npos)
      << sender_->status().last_error;
  sender_->StartRepair();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  EXPECT_TRUE(ReplicaEqual());
}

TEST_F(ReplicationRepairTest, ShadowKilledMidRepairResumesTheRepair) {
  std::filesystem::create_directories(tmp_ / "shadow1");
  auto shadow = std::make_unique<ShadowProcess>(tmp_ / "shadow1", tmp_ / "replicas");
  ASSERT_TRUE(shadow->started()) << shadow->log();
  // The sender keeps the relay's port while the shadow restarts on a new free one (a freed port may be taken
  // by another test of a parallel run).
  TcpProxy relay(shadow->port());
  const int port = relay.port();
  StartSender(Options(port));
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error << shadow->log();
  sender_->Stop();
  const uint64_t changed = ChangeRandomBlocks(0.25, /*journaled=*/false);
  ReplicationOptions o = Options(port);
  o.initial_error = "host crashed";
  o.rate_bytes_per_second = 4 << 20;  // 8 MiB of changes take about two seconds
  o.window_bytes = 2 << 20;           // at most 2 MiB of the disk ahead of the shadow's persisted cursor
  StartSender(o);
  ASSERT_TRUE(PollUntil(
      [&] {
        auto s = ReadShadowState(tmp_ / "replicas", "web-1", "disk0");
        return s && s->repair_in_progress && s->repair_cursor >= kReplicationRepairDisk / 4;
      },
      60s))
      << shadow->log();
  shadow->child().Kill(SIGKILL);
  shadow->child().Wait();
  auto killed = ReadShadowState(tmp_ / "replicas", "web-1", "disk0");
  ASSERT_TRUE(killed && killed->repair_in_progress) << "the repair ended before the kill";
  const uint64_t cursor_at_kill = killed->repair_cursor;
  shadow = std::make_unique<ShadowProcess>(tmp_ / "shadow1", tmp_ / "replicas");
  ASSERT_TRUE(shadow->started()) << shadow->log();
  relay.Retarget(shadow->port());
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime, 90s)) << sender_->status().last_error << shadow->log();
  EXPECT_TRUE(ReplicaEqual());
  auto state = ReadShadowState(tmp_ / "replicas", "web-1", "disk0");
  ASSERT_TRUE(state);
  EXPECT_FALSE(state->repair_in_progress);
  // Resumed, not restarted: what was repaired before the kill is not sent again.
  // A restart from byte 0 would send the changes before the cursor twice.
  EXPECT_GE(sender_->status().repair_bytes_sent, changed);
  EXPECT_LT(sender_->status().repair_bytes_sent, changed + cursor_at_kill * changed / kReplicationRepairDisk / 2)
      << "cursor at kill " << cursor_at_kill;
}

TEST_F(ReplicationRepairTest, StopThenStartDuringARepairResumesAtTheShadowsCursor) {
  StartShadow();
  StartSender(Options(proxy_->port()));
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime)) << sender_->status().last_error;
  sender_->Stop();
  const uint64_t changed = ChangeRandomBlocks(0.25, /*journaled=*/false);
  ReplicationOptions o = Options(proxy_->port());
  o.initial_error = "host crashed";
  o.rate_bytes_per_second = 4 << 20;  // 8 MiB of changes take about two seconds
  o.window_bytes = 2 << 20;           // at most 2 MiB of the disk ahead of the shadow's persisted cursor
  StartSender(o);
  ASSERT_TRUE(PollUntil(
      [&] {
        auto s = ReadShadowState(tmp_ / "replicas", "web-1", "disk0");
        return s && s->repair_in_progress && s->repair_cursor >= kReplicationRepairDisk / 4;
      },
      60s));
  {
    // The shadow still applies what was in flight when the sender stopped; its cursor is final once it has
    // committed and closed the connection.
    LogCapture closing;
    sender_->Stop();
    ASSERT_TRUE(PollUntil([&] { return closing.Text().find("connection closed at applied seq") != std::string::npos; },
                          30s))
        << closing.Text();
  }
  auto stopped = ReadShadowState(tmp_ / "replicas", "web-1", "disk0");
  ASSERT_TRUE(stopped && stopped->repair_in_progress) << "the repair ended before the stop";
  const uint64_t cursor_at_stop = stopped->repair_cursor;
  // Written while stopped: journaled after the repair's base, so streamed once the repair is done.
  std::vector<uint8_t> block(kReplicationRepairBlock, 0x6d);
  Write(0, block);
  Write(kReplicationRepairDisk - kReplicationRepairBlock, block);

  // A repair started over would send no block twice either (the repaired ranges compare equal), so what the
  // sender says it does is the evidence, next to the shadow's base seq.
  LogCapture log;
  sender_->Start();
  ASSERT_TRUE(WaitPhase(ReplicationPhase::kRealtime, 90s)) << sender_->status().last_error;
  ASSERT_TRUE(PollUntil([&] { return sender_->status().acked_seq == sender_->status().journal_seq; }));
  EXPECT_TRUE(ReplicaEqual());
  const std::string said = log.Text();
  const size_t at = said.find("resuming the repair at byte ");
  ASSERT_NE(at, std::string::npos) << said;
  EXPECT_EQ(std::stoull(said.substr(at + std::strlen("resuming the repair at byte "))), cursor_at_stop) << said;
  EXPECT_NE(said.find("base seq " + std::to_string(stopped->repair_base_seq)), std::string::npos)
      << "base seq " << stopped->repair_base_seq << ": " << said;
  EXPECT_GE(sender_->status().repair_bytes_sent, changed);
  EXPECT_LE(sender_->status().repair_bytes_sent, RepairBound(changed));
}

}  // namespace
}  // namespace cdr::agent
