// The local cloud's record of a DR host: the provider's DrHost plus what only the local cloud needs to run it
// (the client token, the pid of its cdr-dr-disk, and where the history it reads lives).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "providers/types/dr_host.h"

namespace cdr::providers::local::internal {

struct DrHostRecord {
  DrHost host;
  std::string client_token;
  int pid = 0;
  std::string replica_dir;  // the shadow host's replica dir the disks are materialized from
};

nlohmann::json DrHostToJson(const DrHostRecord& record);
// kNotFound when the file is absent, kDataLoss when it does not parse.
Result<DrHostRecord> ReadDrHost(const std::filesystem::path& path);

}  // namespace cdr::providers::local::internal
