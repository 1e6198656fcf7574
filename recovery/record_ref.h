// Where one record of a disk's history lives: its header fields and the position of its data in an open
// segment file. cdr-dr-disk indexes a history by scanning record headers only (journal::ScanSegment without
// data verification), so materializing a disk never costs a pass over the log's data.
#pragma once

#include <cstdint>

#include "journal/record.h"

namespace cdr::recovery {

struct RecordRef {
  uint64_t seq = 0;
  uint64_t time_ns = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  journal::RecordKind kind = journal::RecordKind::kWrite;
  uint32_t file = 0;      // index of the open segment file it is in (DiskLog::files)
  uint64_t data_pos = 0;  // byte position of its data in that file (kWrite only)
};

}  // namespace cdr::recovery
