// Block hashes for the repair (docs/wire-protocol.md, "Repair"), computed the same way on both sides: the hash
// of a block is XXH3-128 of its bytes, the hash of a range is XXH3-128 of its blocks' hashes in order. Ranges
// the file has no data in (SEEK_DATA) are not read: their blocks hash as zeroes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "common/status.h"
#include "common/wire_frame.h"

namespace cdr::agent::internal {

wire::Hash128 HashBlock(std::span<const uint8_t> block);
wire::Hash128 HashOfHashes(std::span<const wire::Hash128> hashes);

// Reads [offset, offset + length) of `fd` (clipped to disk_size; bytes past the file's end read as zeroes)
// into *buffer and fills *hashes with one hash per block_size block. Holes are skipped with SEEK_DATA and
// left as zeroes in *buffer.
Status HashRange(int fd, uint64_t offset, uint64_t length, uint64_t disk_size, uint32_t block_size,
                 std::vector<uint8_t>* buffer, std::vector<wire::Hash128>* hashes);

// Every byte in [offset, offset + length) read from fd (zeroes past the end of the file).
Status ReadFully(int fd, uint64_t offset, uint8_t* out, size_t length);

}  // namespace cdr::agent::internal
