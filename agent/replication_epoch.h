// The epoch a replica is bound to, kept in STATE_DIR/NAME/replication.json and created at random on first
// use: a shadow refuses an agent with another epoch (stale or foreign peer).
#pragma once

#include <cstdint>
#include <filesystem>

#include "common/status.h"

namespace cdr::agent {

Result<uint64_t> LoadOrCreateReplicationEpoch(const std::filesystem::path& export_state_dir);

}  // namespace cdr::agent
