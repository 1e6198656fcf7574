#include "agent/replication_epoch.h"

#include <cstdlib>

#include "common/json_file.h"
#include "common/random_hex.h"

namespace cdr::agent {

Result<uint64_t> LoadOrCreateReplicationEpoch(const std::filesystem::path& export_state_dir) {
  const std::filesystem::path path = export_state_dir / "replication.json";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    Result<nlohmann::json> j = ReadJsonFile(path);
    if (!j.ok()) return j.status();
    if (!j->is_object() || !j->contains("epoch") || !(*j)["epoch"].is_number_unsigned()) {
      return DataLoss(path.string() + ": no epoch");
    }
    return (*j)["epoch"].get<uint64_t>();
  }
  uint64_t epoch = 0;
  while (epoch == 0) epoch = std::strtoull(RandomHex(8).c_str(), nullptr, 16);
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(path, {{"epoch", epoch}}));
  return epoch;
}

}  // namespace cdr::agent
