// Header-only scan of a journal segment (docs/journal-format.md): materializing a disk must cost a pass over
// record HEADERS, never over the data, so the data of a write record is located (file, position) but not
// read. Header checksums are checked; data checksums are not (that would read every byte of the log).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "agent/journal_record.h"
#include "common/status.h"

namespace cdr::recovery {

// Where one record of the history lives.
struct RecordRef {
  uint64_t seq = 0;
  uint64_t time_ns = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  agent::RecordKind kind = agent::RecordKind::kWrite;
  uint32_t file = 0;      // index of the open segment file it is in (DiskLog::files)
  uint64_t data_pos = 0;  // byte position of its data in that file (kWrite only)
};

// Appends the records of the segment open as `fd` to *out. Records must follow each other in seq order
// starting at `first_seq`. A record cut short at the end is the writer still appending when
// `tolerate_torn_tail` (the newest segment): the scan stops before it. Anything else wrong is kDataLoss
// naming the file and offset.
Status ScanSegmentHeaders(int fd, const std::filesystem::path& path, uint64_t first_seq, uint32_t file_index,
                          bool tolerate_torn_tail, std::vector<RecordRef>* out);

}  // namespace cdr::recovery
