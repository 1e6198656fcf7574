// The blocks that may differ between a failed-over DR host's disk and production's disk, kept so that a
// failback into the original production disk compares only those instead of hashing both whole disks
// (docs/wire-protocol.md, "Seeded replicas"; docs/state-machine.md, "Failback").
//
// Beside a DR host's standalone image DIR/<disk>.img (a confirmed failover):
//   DIR/<disk>.changes       a DirtyBitmap (4 KiB blocks): the blocks the history changed after the
//                            failover's point (production's writes replicated after it) plus every block the
//                            DR host wrote; cdr-dr-disk flatten writes it at the confirm, cdr-dr-disk serve
//                            marks every later write before it reaches the image
//   DIR/<disk>.changes.json  {"point_seq": P, "history_seq": S}: the map covers the history (P, S]
//
//   writer: cdr-dr-disk            reader: the reverse agent's first compare (ReadFailoverChanges)
//   flatten ──► bitmap + json      usable only if json and bitmap are there, the bitmap was closed cleanly
//   serve ──► marks every write    or by a process crash on this boot, and production holds exactly seq S
//   (host crash: map dropped)      (fenced, journal seq S); otherwise the whole disk is compared
// Production then equals the history at S, the DR disk the history at P plus the DR host's writes, so they
// can differ only in the marked blocks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/dirty_bitmap.h"
#include "common/status.h"

namespace cdr::agent {

inline constexpr uint64_t kFailoverChangesBlock = 4096;

std::filesystem::path FailoverChangesPath(const std::filesystem::path& image);      // DIR/<disk>.changes
std::filesystem::path FailoverChangesMetaPath(const std::filesystem::path& image);  // DIR/<disk>.changes.json

struct FailoverChangesMeta {
  uint64_t point_seq = 0;    // the failover's recovery point on this disk
  uint64_t history_seq = 0;  // the newest seq of the history when the map was made
};
Status WriteFailoverChangesMeta(const std::filesystem::path& image, const FailoverChangesMeta& meta);

// What a compare of `image` with production's disk must cover: `ranges` when usable, else the whole disk for
// the reason in `why`.
struct FailoverChangesScope {
  bool usable = false;
  std::string why;  // usable: what the ranges are; otherwise why the whole disk is compared
  std::vector<DirtyRange> ranges;
  uint64_t bytes = 0;
};
// `production_seq`: the seq production's disk holds, known only when its agent is fenced with a complete
// journal (its journal seq; nullopt otherwise). Closes the bitmap cleanly after reading it.
//
// The map does not see writes made through the reverse agent: that agent's own dirty bitmap holds them. So
// the first reader claims the map (a random id in the json and in `claim_file`, kept in the reader's state
// beside its bitmap), and a reader without that claim (another agent, or one whose state was lost) may not
// use it.
FailoverChangesScope ReadFailoverChanges(const std::filesystem::path& image, uint64_t disk_size,
                                         std::optional<uint64_t> production_seq,
                                         const std::filesystem::path& claim_file);

}  // namespace cdr::agent
