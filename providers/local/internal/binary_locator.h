// Where the cdr programs the local cloud runs (cdr-agent, cdr-shadow) are found: beside the running
// executable first, because a build directory holds cdr, cdr-agent, cdr-shadow and the test executables side
// by side and must not pick up an older installed copy; then PATH.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace cdr::providers::local::internal {

// kFailedPrecondition naming both places searched when `name` is in neither.
Result<std::filesystem::path> FindCdrBinary(const std::string& name);

}  // namespace cdr::providers::local::internal
