// The backlog of a disk whose replication is stopped: the journaled writes the shadow host has not
// acknowledged, how many bytes they carry and how old the oldest is. The journal keeps whole segments, so its
// size overstates what is unsent; this counts the records after the acknowledged seq. A stopped disk only
// appends, so each call reads just the records journaled since the previous one.
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"

namespace cdr::agent {

struct Backlog {
  uint64_t writes = 0;          // records (writes, zeroes, trims)
  uint64_t bytes = 0;           // the bytes they change on the disk
  uint64_t oldest_time_ns = 0;  // CLOCK_REALTIME of the oldest; 0 when there is none
};

class JournalBacklog {
 public:
  explicit JournalBacklog(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // The records in (acked_seq, newest_seq]. kFailedPrecondition if records after acked_seq were released.
  Result<Backlog> Measure(uint64_t acked_seq, uint64_t newest_seq);

 private:
  const std::filesystem::path dir_;
  uint64_t acked_seq_ = 0;
  uint64_t counted_to_seq_ = 0;  // records (acked_seq_, counted_to_seq_] are in backlog_
  Backlog backlog_;
};

}  // namespace cdr::agent
