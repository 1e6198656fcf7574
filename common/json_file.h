// Crash-safe JSON files: a reader never sees a half-written file (write to a temp file, fsync, rename).
#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace cdr {

Result<nlohmann::json> ReadJsonFile(const std::filesystem::path& path);
Status WriteJsonFileAtomically(const std::filesystem::path& path, const nlohmann::json& value);

}  // namespace cdr
