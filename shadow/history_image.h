// The two ways cdr-shadow writes a <disk>.base.img: a sparse copy of the replica (when the history starts)
// and a replay of log records and repair deltas onto it (when retention rolls it forward).
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"
#include "shadow/history_files.h"

namespace cdr::shadow {

// Copies `src` to `dst` (replaced) extent by extent: SEEK_DATA/SEEK_HOLE skip holes and copy_file_range
// shares extents on filesystems that can (XFS, btrfs). `dst` is fdatasync'ed before this returns.
// *copied_bytes gets the bytes of data extents copied.
Status CopyImageExtents(const std::filesystem::path& src, const std::filesystem::path& dst,
                        uint64_t* copied_bytes = nullptr);

// Applies what happened in (from_seq, to_seq] to the open image `fd`: log records in seq order and each
// finished repair of `history` right after its after_seq. kFailedPrecondition when to_seq is inside a repair
// (or past one still running); kDataLoss when the log lacks a record of the range. *last_time_ns gets the
// time of the last log record applied (unchanged when none was).
Status ReplayHistory(int fd, const HistoryPaths& paths, const DiskHistory& history, uint64_t from_seq,
                     uint64_t to_seq, uint64_t* last_time_ns);

}  // namespace cdr::shadow
