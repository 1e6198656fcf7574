// Allocation maps as the NBD base:allocation meta context reports them: a file's runs of data and holes from
// SEEK_DATA/SEEK_HOLE, and a list of runs that merges neighbours of the same kind. Shared by the agent's
// FileBackend and cdr-dr-disk's point-in-time disks (whose holes are the base image's plus the log's zeroes).
#pragma once

#include <cstdint>
#include <vector>

#include "agent/block_device.h"

namespace cdr::agent {

// Appends a run, merged into the last one when it is of the same kind.
void AddExtent(std::vector<Extent>* out, uint64_t length, bool hole);

// Appends runs covering exactly [offset, offset + length) of the file open as `fd`. Bytes past the end of the
// file are a hole. Where the filesystem cannot tell (no SEEK_DATA, or the file changed between two seeks)
// the rest is reported as data: never a false hole.
void AddFileExtents(int fd, uint64_t offset, uint64_t length, std::vector<Extent>* out);

}  // namespace cdr::agent
