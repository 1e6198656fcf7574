// What cdr-shadow checks in a HELLO before it touches a file: the server id and disk name become a directory
// and file names (common/name_rules.h), and the announced size becomes a sparse file that retention, base
// images and repairs then have to live with.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "common/wire_frame.h"

namespace cdr::shadow {

// kInvalidArgument naming the field and the rule it breaks; nothing is echoed raw (names may hold control
// characters).
Status CheckHello(const wire::Hello& hello, uint64_t max_disk_size);

}  // namespace cdr::shadow
