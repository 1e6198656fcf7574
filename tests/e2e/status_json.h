// `cdr status --json` of a workspace, parsed, for end-to-end tests that follow a server through its states.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/e2e/cdr_workspace.h"

namespace cdr::e2e {

// The whole document; a failed run or output that is not JSON with a server is a test failure and gives {}.
nlohmann::json StatusJson(CdrWorkspace& ws, const std::vector<std::string>& extra_args = {});
// The first server of the first group of `status` ({} when there is none).
nlohmann::json FirstServer(const nlohmann::json& status);
// Both in one: the first server of `cdr status --json` now.
inline nlohmann::json StatusOfFirstServer(CdrWorkspace& ws) { return FirstServer(StatusJson(ws)); }

}  // namespace cdr::e2e
