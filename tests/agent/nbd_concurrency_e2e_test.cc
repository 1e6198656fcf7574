// Issue #12 with the real cdr-agent replicating to a real cdr-shadow: four libnbd connections keep up to 16
// requests each in flight at once (overlapping writes, FUA writes, zeroes, reads, flushes), batch after batch.
// Every read is checked against a model of the disk; a block written by several requests of one batch may hold
// any of them (NBD orders nothing in flight together) but exactly one, whole. The replica then equals the disk,
// which holds only if the journal's order of overlapping writes is the order their data reached the file. Last,
// writes acknowledged before a completed FLUSH survive kill -9 of the agent, and after the restart the replica
// catches up to the same bytes.
#include <libnbd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "tests/agent/agent_with_api.h"

namespace cdr::agent {
namespace {

using namespace cdr::agent::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
constexpr uint64_t kNbdConcurrencyBlock = 4096;
constexpr uint64_t kDiskBlocks = 2048;  // 8 MiB
constexpr uint64_t kHotBlocks = 96;     // most writes land here, so requests in flight together overlap
constexpr int kConnections = 4;
constexpr int kDepth = 16;

// Block b written by request `tag` holds this pattern; tag 0 is the initial content (zeroes).
std::vector<uint8_t> BlockPattern(uint64_t tag, uint64_t block) {
  std::vector<uint8_t> out(kNbdConcurrencyBlock, 0);
  if (tag == 0) return out;
  std::mt19937_64 gen(tag * 1000003 + block);
  for (size_t i = 0; i < kNbdConcurrencyBlock; i += 8) {
    const uint64_t v = gen();
    std::memcpy(out.data() + i, &v, 8);
  }
  return out;
}

enum class OpKind { kWrite, kFuaWrite, kZero, kRead, kFlush };

struct Op {
  OpKind kind;
  uint64_t first_block = 0, blocks = 0;
  uint64_t tag = 0;  // writes: their tag; zeroes: 0
  std::vector<uint8_t> buffer;
  bool failed = false;
};

// The disk as the test knows it: per block, the tags it may hold (one once a read has settled it).
struct Model {
  std::vector<std::set<uint64_t>> may_hold = std::vector<std::set<uint64_t>>(kDiskBlocks, {0});
};

class Connection {
 public:
  explicit Connection(const std::string& uri) : h_(nbd_create()) {
    ok_ = h_ != nullptr && nbd_connect_uri(h_, uri.c_str()) == 0;
  }
  ~Connection() {
    if (h_ != nullptr) nbd_close(h_);
  }
  bool ok() const { return ok_; }
  std::string error() const { return nbd_get_error() ? nbd_get_error() : "?"; }

  // Runs the ops with up to kDepth in flight; false if libnbd itself failed (a request error sets op.failed).
  bool Run(std::vector<Op*>& ops) {
    std::map<int64_t, Op*> in_flight;
    size_t next = 0;
    while (next < ops.size() || !in_flight.empty()) {
      while (next < ops.size() && in_flight.size() < static_cast<size_t>(kDepth)) {
        Op* op = ops[next++];
        const int64_t cookie = Issue(op);
        if (cookie < 0) return false;
        in_flight[cookie] = op;
      }
      if (nbd_poll(h_, 30000) <= 0) return false;  // 0: nothing for 30 s
      int64_t cookie;
      while ((cookie = nbd_aio_peek_command_completed(h_)) > 0) {
        const int r = nbd_aio_command_completed(h_, static_cast<uint64_t>(cookie));
        auto it = in_flight.find(cookie);
        if (it == in_flight.end()) return false;
        it->second->failed = r != 1;
        in_flight.erase(it);
      }
    }
    return true;
  }

 private:
  int64_t Issue(Op* op) {
    const uint64_t offset = op->first_block * kNbdConcurrencyBlock, length = op->blocks * kNbdConcurrencyBlock;
    switch (op->kind) {
      case OpKind::kWrite:
      case OpKind::kFuaWrite:
        return nbd_aio_pwrite(h_, op->buffer.data(), length, offset, NBD_NULL_COMPLETION,
                              op->kind == OpKind::kFuaWrite ? LIBNBD_CMD_FLAG_FUA : 0);
      case OpKind::kZero:
        return nbd_aio_zero(h_, length, offset, NBD_NULL_COMPLETION, 0);
      case OpKind::kRead:
        op->buffer.assign(length, 0xee);
        return nbd_aio_pread(h_, op->buffer.data(), length, offset, NBD_NULL_COMPLETION, 0);
      case OpKind::kFlush:
        return nbd_aio_flush(h_, NBD_NULL_COMPLETION, 0);
    }
    return -1;
  }

  nbd_handle* h_;
  bool ok_ = false;
};

// One batch: writes anywhere (mostly the hot region), reads only of blocks no request of the batch writes.
std::vector<Op> MakeBatch(std::mt19937_64& rng, uint64_t* next_tag, size_t count) {
  std::vector<Op> ops;
  std::set<uint64_t> written;
  for (size_t i = 0; i < count; ++i) {
    Op op;
    const int dice = static_cast<int>(rng() % 20);
    op.kind = dice < 11 ? OpKind::kWrite : dice < 13 ? OpKind::kFuaWrite : dice < 14 ? OpKind::kZero
                                           : dice < 18 ? OpKind::kRead : OpKind::kFlush;
    op.blocks = 1 + rng() % 8;
    const uint64_t span = rng() % 4 == 0 ? kDiskBlocks : kHotBlocks;
    op.first_block = rng() % (span - op.blocks + 1);
    if (op.kind == OpKind::kWrite || op.kind == OpKind::kFuaWrite) {
      op.tag = (*next_tag)++;
      for (uint64_t b = 0; b < op.blocks; ++b) {
        const std::vector<uint8_t> p = BlockPattern(op.tag, op.first_block + b);
        op.buffer.insert(op.buffer.end(), p.begin(), p.end());
      }
    }
    if (op.kind != OpKind::kRead && op.kind != OpKind::kFlush) {
      for (uint64_t b = 0; b < op.blocks; ++b) written.insert(op.first_block + b);
    }
    ops.push_back(std::move(op));
  }
  std::erase_if(ops, [&](const Op& op) {
    if (op.kind != OpKind::kRead) return false;
    for (uint64_t b = 0; b < op.blocks; ++b) {
      if (written.count(op.first_block + b)) return true;
    }
    return false;
  });
  return ops;
}

// Which of `candidates` the bytes are; 0 with *found = false when none.
uint64_t Identify(const uint8_t* bytes, uint64_t block, const std::set<uint64_t>& candidates, bool* found) {
  for (uint64_t tag : candidates) {
    if (std::memcmp(bytes, BlockPattern(tag, block).data(), kNbdConcurrencyBlock) == 0) {
      *found = true;
      return tag;
    }
  }
  *found = false;
  return 0;
}

// Runs the ops spread over the connections, all at once; false (with a message) on any failure.
bool RunSpread(std::vector<std::unique_ptr<Connection>>& conns, std::vector<Op>& ops, std::string* why) {
  std::vector<std::vector<Op*>> share(conns.size());
  for (size_t i = 0; i < ops.size(); ++i) share[i % conns.size()].push_back(&ops[i]);
  std::vector<int> ok(conns.size(), 0);
  std::vector<std::thread> threads;
  for (size_t c = 0; c < conns.size(); ++c) threads.emplace_back([&, c] { ok[c] = conns[c]->Run(share[c]); });
  for (auto& t : threads) t.join();
  for (size_t c = 0; c < conns.size(); ++c) {
    if (!ok[c]) return *why = "connection " + std::to_string(c) + ": " + conns[c]->error(), false;
  }
  for (const Op& op : ops) {
    if (op.failed) return *why = "a request failed: " + conns[0]->error(), false;
  }
  return true;
}

// Applies a completed batch to the model and checks its reads.
void Apply(const std::vector<Op>& ops, Model* model) {
  std::map<uint64_t, std::set<uint64_t>> batch_writes;  // block -> tags written to it in this batch
  for (const Op& op : ops) {
    if (op.kind == OpKind::kRead) {
      for (uint64_t b = 0; b < op.blocks; ++b) {
        const uint64_t block = op.first_block + b;
        bool found = false;
        const uint64_t tag = Identify(op.buffer.data() + b * kNbdConcurrencyBlock, block, model->may_hold[block], &found);
        ASSERT_TRUE(found) << "read of block " << block << " returned bytes of no write the model allows";
        model->may_hold[block] = {tag};
      }
    } else if (op.kind != OpKind::kFlush) {
      for (uint64_t b = 0; b < op.blocks; ++b) batch_writes[op.first_block + b].insert(op.tag);
    }
  }
  for (auto& [block, tags] : batch_writes) model->may_hold[block] = tags;
}

// Reads every block the model is unsure of and settles it.
void Settle(Connection& conn, Model* model) {
  std::vector<Op> reads;
  for (uint64_t b = 0; b < kDiskBlocks; ++b) {
    if (model->may_hold[b].size() > 1) reads.push_back({OpKind::kRead, b, 1});
  }
  std::vector<Op*> ptrs;
  for (Op& op : reads) ptrs.push_back(&op);
  ASSERT_TRUE(conn.Run(ptrs)) << conn.error();
  for (const Op& op : reads) ASSERT_FALSE(op.failed);
  Apply(reads, model);
}

// The disk file checked block by block against the model.
void ExpectDiskIs(const fs::path& disk, const Model& model) {
  const std::string bytes = ReadFile(disk);
  ASSERT_EQ(bytes.size(), kDiskBlocks * kNbdConcurrencyBlock);
  for (uint64_t b = 0; b < kDiskBlocks; ++b) {
    bool found = false;
    Identify(reinterpret_cast<const uint8_t*>(bytes.data()) + b * kNbdConcurrencyBlock, b, model.may_hold[b], &found);
    ASSERT_TRUE(found) << "block " << b << " of the disk file holds bytes the model does not allow";
  }
}

TEST(NbdConcurrencyE2eTest, ManyRequestsInFlightOverSeveralConnectionsMatchTheModelTheReplicaAndSurviveKill9) {
  TempDir tmp;
  const fs::path disk = tmp / "vda.img";
  const fs::path replicas = tmp / "replicas";
  const fs::path state = tmp / "state";
  std::ofstream(disk).close();
  fs::resize_file(disk, kDiskBlocks * kNbdConcurrencyBlock);
  ShadowWithReadyFile shadow(tmp / "shadow", replicas);
  ASSERT_TRUE(shadow.started()) << shadow.log();
  const fs::path replica = ReplicaImage(replicas, "web-1", "vda");
  auto agent = std::make_unique<AgentWithApi>(
      tmp / "agent-0", state, disk, std::vector<std::string>{"--shadow", shadow.address(), "--server-id", "web-1"});
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(PollUntil([&] { return agent->StateIs("realtime"); }, 60s)) << agent->log();

  std::vector<std::unique_ptr<Connection>> conns;
  for (int c = 0; c < kConnections; ++c) {
    conns.push_back(std::make_unique<Connection>(agent->nbd_uri()));
    ASSERT_TRUE(conns.back()->ok()) << conns.back()->error();
  }
  Model model;
  std::mt19937_64 rng(12);
  uint64_t next_tag = 1;
  for (int batch = 0; batch < 40; ++batch) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    std::vector<Op> ops = MakeBatch(rng, &next_tag, 96);
    std::string why;
    ASSERT_TRUE(RunSpread(conns, ops, &why)) << why << agent->log();
    Apply(ops, &model);
    if (::testing::Test::HasFatalFailure()) return;
  }
  Settle(*conns[0], &model);
  if (::testing::Test::HasFatalFailure()) return;
  ExpectDiskIs(disk, model);
  // Replayed in seq order, the journal rebuilds the disk only if overlapping writes were journaled in the order
  // their data reached the file.
  ASSERT_TRUE(PollUntil([&] { return agent->AllAcked(); }, 60s)) << agent->Status().dump() << agent->log();
  ASSERT_TRUE(CmpEqual(disk, replica)) << "replica differs from the disk after concurrent overlapping writes";

  // Writes acknowledged on every connection, then one FLUSH on connection 0 covers all of them (multi-conn).
  std::vector<Op> before_flush;
  for (uint64_t b = 0; b < 64; ++b) {
    Op op{OpKind::kWrite, b, 1, next_tag++};
    op.buffer = BlockPattern(op.tag, b);
    before_flush.push_back(std::move(op));
  }
  std::string why;
  ASSERT_TRUE(RunSpread(conns, before_flush, &why)) << why;
  Apply(before_flush, &model);
  std::vector<Op> flush(1, Op{OpKind::kFlush});
  std::vector<Op*> flush_ptr = {&flush[0]};
  ASSERT_TRUE(conns[0]->Run(flush_ptr) && !flush[0].failed) << conns[0]->error();
  // After the flush, unflushed writes elsewhere only (blocks 1024..1087), still in flight or just done at the kill.
  std::vector<Op> after_flush;
  for (uint64_t b = 1024; b < 1088; ++b) {
    Op op{OpKind::kWrite, b, 1, next_tag++};
    op.buffer = BlockPattern(op.tag, b);
    model.may_hold[b].insert(op.tag);
    after_flush.push_back(std::move(op));
  }
  std::thread writer([&] {
    std::string ignored;
    RunSpread(conns, after_flush, &ignored);  // the kill cuts these short: errors expected
  });
  agent->child().Kill(SIGKILL);
  agent->child().Wait();
  writer.join();
  conns.clear();
  ExpectDiskIs(disk, model);

  // Restarted without --shadow: the persisted desired state resumes replication and catches up.
  agent = std::make_unique<AgentWithApi>(tmp / "agent-1", state, disk, std::vector<std::string>{});
  ASSERT_TRUE(agent->started()) << agent->log();
  ASSERT_TRUE(PollUntil([&] { return agent->AllAcked(); }, 60s)) << agent->Status().dump() << agent->log();
  ASSERT_TRUE(CmpEqual(disk, replica)) << agent->Status().dump() << agent->log();
  agent->child().Kill(SIGTERM);
  EXPECT_EQ(agent->child().Wait(), 0) << agent->log();
}

}  // namespace
}  // namespace cdr::agent
