#include "agent/file_extents.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace cdr::agent {

void AddExtent(std::vector<Extent>* out, uint64_t length, bool hole) {
  if (length == 0) return;
  if (!out->empty() && out->back().hole == hole) {
    out->back().length += length;
  } else {
    out->push_back({length, hole});
  }
}

void AddFileExtents(int fd, uint64_t offset, uint64_t length, std::vector<Extent>* out) {
  const uint64_t end = offset + length;
  uint64_t pos = offset;
  while (pos < end) {
    const off_t data = ::lseek(fd, static_cast<off_t>(pos), SEEK_DATA);
    // ENXIO: no data at or after pos, the rest of the file is a hole.
    if (data < 0 && errno != ENXIO) break;
    const uint64_t data_at = data < 0 ? end : std::min<uint64_t>(static_cast<uint64_t>(data), end);
    if (data_at > pos) {
      AddExtent(out, data_at - pos, true);
      pos = data_at;
      continue;
    }
    const off_t hole = ::lseek(fd, static_cast<off_t>(pos), SEEK_HOLE);
    if (hole <= static_cast<off_t>(pos)) break;
    const uint64_t hole_at = std::min<uint64_t>(static_cast<uint64_t>(hole), end);
    AddExtent(out, hole_at - pos, false);
    pos = hole_at;
  }
  AddExtent(out, end - pos, false);
}

}  // namespace cdr::agent
