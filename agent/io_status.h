// errno → Status on the agent's I/O path, and Status → NBD error code for replies. The Status code keeps what
// the NBD client must be told: no space (ENOSPC) is kUnavailable, a bad range kInvalidArgument, the rest EIO.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace cdr::agent {

// "pwrite /var/disk.img: No space left on device"
Status ErrnoStatus(const std::string& what, int err);
uint32_t NbdErrorFor(const Status& status);

}  // namespace cdr::agent
