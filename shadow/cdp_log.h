// The shadow's CDP log: every DATA record applied to a replica, with its source seq and time, in
// REPLICA_DIR/<server>/<disk>.cdp/. Same on-disk format as the agent journal (docs/journal-format.md: segment
// files seg-<first seq>.journal, 56-byte record headers, XXH3-64 checksums), so journal::JournalReader reads
// it; recovery points and point-in-time restore are built on it later.
//
// Records arrive in seq order but may arrive twice (the agent resends from the last acknowledged seq after a
// crash of either side): a seq already logged is skipped. A seq past the next expected one (the replica was
// re-synced in between) starts a new segment at that seq.
//
// Appended records gather in memory and go to the file together (one pwritev for up to kPendingRecords
// records or kPendingBytes of data), before a new segment starts, and in Sync(): a batch of frames costs one
// system call, not one per record. Nothing is promised before Sync() returns, as before: the shadow
// acknowledges a seq only after it. A record applied to the image but lost with the memory (kill -9) is
// simply not logged: the shadow reports the log's last seq and the agent resends from there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "common/status.h"
#include "journal/record.h"

namespace cdr::shadow {

class CdpLog {
 public:
  static Result<std::unique_ptr<CdpLog>> Open(const std::filesystem::path& dir,
                                              uint64_t segment_bytes = 64ull << 20);
  ~CdpLog();
  CdpLog(const CdpLog&) = delete;
  CdpLog& operator=(const CdpLog&) = delete;

  // record.checksum must be the data checksum (records arrive checked from the wire). The data is copied.
  Status Append(const journal::Record& record);
  // Writes the records gathered in memory, then fdatasync.
  Status Sync();
  uint64_t next_seq() const { return next_seq_; }  // 0 while the log is empty
  // Time of the newest record (0 while the log is empty): where a reopened history starts telling seqs
  // by time.
  uint64_t last_time_ns() const { return last_time_ns_; }

 private:
  CdpLog(std::filesystem::path dir, uint64_t segment_bytes)
      : dir_(std::move(dir)), segment_bytes_(segment_bytes) {}
  Status Recover();
  Status CreateSegment(uint64_t first_seq);
  Status WritePending();

  const std::filesystem::path dir_;
  const uint64_t segment_bytes_;
  int fd_ = -1;
  uint64_t segment_size_ = 0;  // bytes in the file, without the pending records
  // Appended, not yet written: headers, and their data back to back in pending_data_ (at pending_at_).
  std::vector<journal::Record> pending_;
  std::vector<size_t> pending_at_;
  std::vector<uint8_t> pending_data_;
  uint64_t pending_disk_bytes_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t last_time_ns_ = 0;
};

}  // namespace cdr::shadow
