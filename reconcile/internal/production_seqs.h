// What production's disks hold during a failback into them: the journal seq of each disk, known when
// production's agent answers fenced (no write since) in a realtime state (every write on the disk journaled).
// The reverse agent's first compare trusts the DR host's change map only for a disk whose map covers the
// history up to exactly that seq (agent/failover_changes.h): then the history holds every write production
// made, and production equals the history at that seq. Without these seqs it compares the whole disk.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "reconcile/internal/step_context.h"

namespace cdr::reconcile::internal {

struct ProductionSeqs {
  std::map<std::string, uint64_t> seqs;  // by disk; empty: unknown
  std::string why;                       // for the transition message: what was found
};

ProductionSeqs FencedProductionSeqs(StepContext& ctx, const std::string& host);

}  // namespace cdr::reconcile::internal
