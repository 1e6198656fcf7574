// Test support for the recovery-history tests: a source disk in memory that speaks the replication protocol
// to a real cdr-shadow frame by frame (so the tests choose record times, outages and repairs), and a
// test-side replayer of base + log + repair deltas written from the contract in docs/recovery-points.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/wire_frame.h"

namespace cdr::shadow::testing {

class WireSource {
 public:
  WireSource(int port, std::string server, std::string disk, uint64_t size, uint64_t epoch = 7);
  ~WireSource();
  WireSource(const WireSource&) = delete;
  WireSource& operator=(const WireSource&) = delete;

  Status Connect(int port);  // HELLO; kFailedPrecondition when refused
  Status FullSync();         // every data block as extents, base seq = the current seq
  // Changes the source and streams the record (time = now); returns after the shadow acknowledged it.
  Status Write(uint64_t offset, const std::vector<uint8_t>& data);
  Status WriteZeroes(uint64_t offset, uint64_t length);
  Status Heartbeat();
  // Changes the source and consumes a seq without sending it: the record a link outage lost.
  void WriteOffline(uint64_t offset, const std::vector<uint8_t>& data);
  // A repair with base seq = the current seq: every differing block is sent, then REPAIR_END unless `finish`
  // is false (the agent lost its journal again and will restart the repair with a new base).
  Status Repair(bool finish = true);
  void Close();

  std::vector<uint8_t> RandomBytes(size_t n);
  uint64_t seq() const { return seq_; }
  uint64_t Hash() const;  // of the source now
  // The source's content hash at time t: after every write whose record time is <= t.
  uint64_t HashAt(uint64_t time_ns) const;
  // The greatest seq whose record time is <= t (offline writes included).
  uint64_t SeqAt(uint64_t time_ns) const;

 private:
  Status Send(wire::FrameType type, const std::vector<uint8_t>& payload);
  Status WaitAcked();
  void Remember(uint64_t time_ns);

  int fd_ = -1;
  const std::string server_, disk_;
  const uint64_t epoch_;
  std::vector<uint8_t> content_;
  uint64_t seq_ = 0;
  std::mt19937_64 rng_{42};
  struct Moment {
    uint64_t seq, time_ns, hash;
  };
  std::vector<Moment> moments_;
};

// The disk at seq S from base.img, the CDP log and the repair deltas, by the contract's rules.
Result<std::vector<uint8_t>> ReplayDiskAt(const std::filesystem::path& server_dir, const std::string& disk,
                                          uint64_t seq);
uint64_t HashBytes(const std::vector<uint8_t>& bytes);
// Sum of st_blocks * 512 of every file under dir.
uint64_t AllocatedBytes(const std::filesystem::path& dir);

}  // namespace cdr::shadow::testing
