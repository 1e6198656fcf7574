#include "recovery/extent_index.h"

namespace cdr::recovery {
namespace {

// The part of `e` (starting at `start`) that begins at `new_start`.
Extent TailOf(uint64_t start, const Extent& e, uint64_t new_start) {
  Extent tail = e;
  if (tail.source == Extent::Source::kData) tail.file_pos += new_start - start;
  return tail;
}

}  // namespace

void ExtentIndex::Apply(const RecordRef& record) {
  if (record.offset >= disk_size_ || record.length == 0) return;
  const uint64_t start = record.offset;
  const uint64_t end = std::min(disk_size_, record.offset + record.length);
  auto it = extents_.upper_bound(start);
  if (it != extents_.begin()) {
    auto previous = std::prev(it);
    if (previous->second.end > start) it = previous;
  }
  while (it != extents_.end() && it->first < end) {
    const uint64_t e_start = it->first;
    const Extent e = it->second;
    it = extents_.erase(it);
    if (e_start < start) extents_.emplace(e_start, Extent{start, e.source, e.file, e.file_pos});
    if (e.end > end) {
      Extent tail = TailOf(e_start, e, end);
      it = extents_.emplace(end, tail).first;
      break;
    }
  }
  Extent added;
  added.end = end;
  if (record.kind == journal::RecordKind::kWrite) {
    added.source = Extent::Source::kData;
    added.file = record.file;
    added.file_pos = record.data_pos;
  }
  extents_.emplace(start, added);
}

void ExtentIndex::ForEachPiece(uint64_t offset, uint64_t length,
                               const std::function<void(uint64_t, uint64_t, const Extent*)>& fn) const {
  const uint64_t end = offset + length;
  uint64_t pos = offset;
  auto it = extents_.upper_bound(pos);
  if (it != extents_.begin() && std::prev(it)->second.end > pos) it = std::prev(it);
  while (pos < end) {
    if (it == extents_.end() || it->first >= end) {
      fn(pos, end - pos, nullptr);
      return;
    }
    if (it->first > pos) {
      fn(pos, it->first - pos, nullptr);
      pos = it->first;
    }
    const uint64_t piece_end = std::min(end, it->second.end);
    const Extent piece = TailOf(it->first, it->second, pos);
    fn(pos, piece_end - pos, &piece);
    pos = piece_end;
    ++it;
  }
}

ExtentIndex BuildExtentIndex(const DiskLog& log, uint64_t seq) {
  ExtentIndex index(log.disk_size());
  // Repairs that belong to the point, in the order they happened (after_seq ascending).
  std::vector<const RepairLog*> repairs;
  for (const RepairLog& r : log.repairs()) {
    if (r.entry.finished() && r.entry.after_seq < seq && r.entry.finished_seq <= seq) repairs.push_back(&r);
  }
  size_t next_repair = 0;
  const auto apply_repairs_up_to = [&](uint64_t after) {
    while (next_repair < repairs.size() && repairs[next_repair]->entry.after_seq <= after) {
      for (const RecordRef& r : repairs[next_repair]->records) index.Apply(r);
      ++next_repair;
    }
  };
  for (const RecordRef& r : log.records()) {
    if (r.seq > seq) break;
    apply_repairs_up_to(r.seq - 1);
    index.Apply(r);
  }
  apply_repairs_up_to(seq);
  return index;
}

}  // namespace cdr::recovery
