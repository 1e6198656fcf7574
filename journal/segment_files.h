// The segment files of one journal directory: their names, listing them in seq order, and creating one so that
// a listed segment always has a durable header (temp name, header, fdatasync, rename, directory fsync).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::journal {

// "seg-00000000000000000001.journal": the name carries the first seq so listing needs no reads.
std::string SegmentFileName(uint64_t first_seq);

struct SegmentFile {
  uint64_t first_seq;
  std::filesystem::path path;
};
// Segments of `dir` sorted by first seq. Names without the 20-digit padding ("seg-1.journal", as repair logs
// may be written) are segments too; anything else, temp files of a segment being created included, is not.
std::vector<SegmentFile> ListSegments(const std::filesystem::path& dir);

// Deletes the temp files of segment creations cut short by a crash (a writer calls it when it opens).
void RemoveUnfinishedSegments(const std::filesystem::path& dir);

// Creates the segment starting at `first_seq` with its header durable; returns its open (read-write) fd.
Result<int> CreateSegment(const std::filesystem::path& dir, uint64_t first_seq);

Status SyncDirectory(const std::filesystem::path& dir);

}  // namespace cdr::journal
