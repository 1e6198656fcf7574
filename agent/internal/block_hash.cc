#include "agent/internal/block_hash.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace cdr::agent::internal {
namespace {

wire::Hash128 ToHash(XXH128_hash_t h) { return {h.low64, h.high64}; }

}  // namespace

wire::Hash128 HashBlock(std::span<const uint8_t> block) { return ToHash(XXH3_128bits(block.data(), block.size())); }

wire::Hash128 HashOfHashes(std::span<const wire::Hash128> hashes) {
  std::vector<uint8_t> bytes(hashes.size() * 16);
  for (size_t i = 0; i < hashes.size(); ++i) {
    for (int b = 0; b < 8; ++b) {
      bytes[i * 16 + b] = static_cast<uint8_t>(hashes[i].low >> (8 * b));
      bytes[i * 16 + 8 + b] = static_cast<uint8_t>(hashes[i].high >> (8 * b));
    }
  }
  return ToHash(XXH3_128bits(bytes.data(), bytes.size()));
}

Status ReadFully(int fd, uint64_t offset, uint8_t* out, size_t length) {
  size_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Internal(std::string("read for the repair: ") + std::strerror(errno));
    if (n == 0) {
      std::memset(out + done, 0, length - done);
      break;
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status HashRange(int fd, uint64_t offset, uint64_t length, uint64_t disk_size, uint32_t block_size,
                 std::vector<uint8_t>* buffer, std::vector<wire::Hash128>* hashes) {
  if (block_size == 0) return InvalidArgument("repair: block size 0");
  length = offset >= disk_size ? 0 : std::min(length, disk_size - offset);
  buffer->assign(length, 0);
  // Only the allocated parts are read: a sparse disk costs a few lseeks per range. Blocks that no data run
  // touches are zeroes whose hash is known: they are not hashed again (most of a mostly empty disk).
  std::vector<std::pair<uint64_t, uint64_t>> runs;  // data runs, relative to offset
  uint64_t pos = offset;
  const uint64_t end = offset + length;
  while (pos < end) {
    off_t data = ::lseek(fd, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;
    if (data < 0) data = static_cast<off_t>(pos);  // no SEEK_DATA (block devices): read everything
    if (static_cast<uint64_t>(data) >= end) break;
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    const uint64_t run_end = hole < 0 ? end : std::min<uint64_t>(end, static_cast<uint64_t>(hole));
    if (run_end <= static_cast<uint64_t>(data)) break;
    CDR_RETURN_IF_ERROR(ReadFully(fd, static_cast<uint64_t>(data), buffer->data() + (data - offset),
                                  run_end - static_cast<uint64_t>(data)));
    runs.emplace_back(static_cast<uint64_t>(data) - offset, run_end - offset);
    pos = run_end;
  }
  const std::vector<uint8_t> zeroes(block_size, 0);
  const wire::Hash128 zero_hash = HashBlock(zeroes);
  hashes->clear();
  size_t run = 0;
  for (uint64_t at = 0; at < length; at += block_size) {
    const uint64_t size = std::min<uint64_t>(block_size, length - at);
    while (run < runs.size() && runs[run].second <= at) ++run;
    const bool touched = run < runs.size() && runs[run].first < at + size;
    hashes->push_back(!touched && size == block_size ? zero_hash
                                                     : HashBlock(std::span(*buffer).subspan(at, size)));
  }
  return Status::Ok();
}

}  // namespace cdr::agent::internal
