// Durations as operators type them on the command line, Go/Terraform style: "0", "500ms", "30s", "5m",
// "1h30m". Used by -lock-timeout.
#pragma once

#include <chrono>
#include <string_view>

#include "common/status.h"

namespace cdr {

// InvalidArgument naming the text and the accepted forms when it is not a duration (or is negative or absurdly
// large: more than 30 days).
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace cdr
