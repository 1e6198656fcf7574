// One pass over the records of a segment, from its header to its end or to the first record that is not
// valid: the agent's and the shadow's recovery when they reopen a log, and the DR disk's index of a history.
// What happens at a damaged tail is the caller's policy, stated once here:
//
//   record after the last valid one    kStrict        kStopAtTorn            kCutDamaged (writable fd)
//   none (clean end)                   ok             ok                     ok
//   cut short (torn)                   kDataLoss      stop before it         ftruncate + fdatasync, ok
//   corrupt (checksum, seq, kind)      kDataLoss      kDataLoss              ftruncate + fdatasync, ok
//
// kStrict is for a finished segment; kStopAtTorn for the newest segment of a log a writer may still be
// appending to (read-only); kCutDamaged for the writer itself at open, after a crash in the middle of an
// append. A damaged segment header is kDataLoss under every policy: segments are renamed into place only
// after their header is durable, so a bad one is media damage, not a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/status.h"
#include "journal/record.h"

namespace cdr::journal {

enum class TailPolicy { kStrict, kStopAtTorn, kCutDamaged };

struct ScanOptions {
  TailPolicy tail = TailPolicy::kStrict;
  // Read every write's data and check its checksum. Off, the scan reads record headers only (a DR disk's
  // index must not cost a pass over the data); the data is located, not read, and Record::data stays empty.
  bool verify_data = true;
};

struct ScanResult {
  uint64_t next_seq = 0;      // seq after the last valid record (first_seq if there is none)
  uint64_t end_pos = 0;       // byte position after the last valid record
  uint64_t last_time_ns = 0;  // time of the last valid record, 0 if there is none
  uint64_t tail_bytes = 0;    // bytes after end_pos: cut (kCutDamaged) or left for later (kStopAtTorn)
  std::string tail_detail;    // why those bytes are not a record
};

// Called for each valid record, in seq order, with the byte position of its data in the file (kWrite).
using RecordVisitor = std::function<void(const Record& record, uint64_t data_pos)>;

Result<ScanResult> ScanSegment(int fd, const std::filesystem::path& path, uint64_t first_seq, ScanOptions options,
                               const RecordVisitor& visit = nullptr);

}  // namespace cdr::journal
