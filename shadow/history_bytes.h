// What a disk's recovery history costs on the shadow host: the allocated (not apparent: the base image is
// sparse) bytes of its base image, its CDP log and its repair deltas. One count for the shadow's metrics and the
// provider's recovery point listing (through cdr-dr-disk points).
#pragma once

#include <cstdint>

#include "shadow/history_files.h"

namespace cdr::shadow {

uint64_t HistoryBytes(const HistoryPaths& paths);

}  // namespace cdr::shadow
