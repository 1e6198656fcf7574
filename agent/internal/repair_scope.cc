#include "agent/internal/repair_scope.h"

#include <algorithm>
#include <iterator>

namespace cdr::agent::internal {

RepairScope RepairScope::WholeDisk(uint64_t disk_size) {
  RepairScope scope;
  scope.disk_size_ = disk_size;
  scope.whole_ = true;
  scope.end_ = disk_size;
  scope.bytes_ = disk_size;
  return scope;
}

RepairScope RepairScope::Dirty(uint64_t disk_size, const std::vector<DirtyRange>& dirty) {
  RepairScope scope;
  scope.disk_size_ = disk_size;
  for (const DirtyRange& d : dirty) {
    if (d.length == 0 || d.offset >= disk_size) continue;
    const uint64_t last = std::min(disk_size, d.offset + d.length) - 1;
    uint64_t start = d.offset / kRepairRangeBytes * kRepairRangeBytes;
    if (!scope.starts_.empty() && scope.starts_.back() >= start) start = scope.starts_.back() + kRepairRangeBytes;
    for (; start <= last; start += kRepairRangeBytes) {
      scope.starts_.push_back(start);
      scope.bytes_ += std::min(kRepairRangeBytes, disk_size - start);
    }
  }
  if (!scope.starts_.empty()) scope.end_ = std::min(disk_size, scope.starts_.back() + kRepairRangeBytes);
  return scope;
}

std::vector<DirtyRange> MergeRanges(const std::vector<DirtyRange>& a, const std::vector<DirtyRange>& b) {
  std::vector<DirtyRange> all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all),
             [](const DirtyRange& x, const DirtyRange& y) { return x.offset < y.offset; });
  std::vector<DirtyRange> out;
  for (const DirtyRange& r : all) {
    if (!out.empty() && r.offset <= out.back().offset + out.back().length) {
      out.back().length = std::max(out.back().length, r.offset + r.length - out.back().offset);
    } else {
      out.push_back(r);
    }
  }
  return out;
}

uint64_t RepairScope::NextRange(uint64_t offset) const {
  if (whole_) return std::min(offset, disk_size_);
  auto it = std::lower_bound(starts_.begin(), starts_.end(), offset);
  return it == starts_.end() ? end_ : *it;
}

}  // namespace cdr::agent::internal
