// The `cdr local` verbs that act on the local cloud's processes (the others are declared in commands.h).
#pragma once

#include "cmd/commands.h"

namespace cdr::cmd {

// `cdr local down`: stops every agent and shadow host process; records are kept.
int RunLocalDown(const LocalOptions& o);
// `cdr local up`: starts every agent and shadow host process that is not running.
int RunLocalUp(const LocalOptions& o);

}  // namespace cdr::cmd
