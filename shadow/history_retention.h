// Rolling a disk's base forward (retention): base.img + the records (base_seq, target] (and the repairs
// finished inside) become the new base.img at `target`; then the log segments and repair deltas the new base
// covers are deleted. Runs under history.lock LOCK_EX.
//
//   history.json {base_seq: B, rolling_to: T}   (readers: the window already starts at T's time)
//        ─► apply records (B, T] to base.img ─► fdatasync
//        ─► history.json {base_seq: T} ─► delete covered segments and repair dirs
//
// A crash anywhere is harmless: records are idempotent writes of fixed ranges, so FinishInterruptedRoll
// re-applies (B, T] from the recorded base_seq.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "shadow/history_files.h"

namespace cdr::shadow {

// `target_time_ns`: the time of record `target` (the recovery point's time when it is not known better).
// The caller holds the server's mutex; this takes history.lock itself.
Status RollBaseForward(const HistoryPaths& paths, uint64_t target, uint64_t target_time_ns);

// Completes a roll-forward a crash interrupted (history.json still has rolling_to); no-op otherwise.
Status FinishInterruptedRoll(const HistoryPaths& paths);

}  // namespace cdr::shadow
