#include "shadow/replica_state.h"

#include "common/json_file.h"

namespace cdr::shadow {

Result<ReplicaState> LoadReplicaState(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFound(path.string() + " does not exist");
  Result<nlohmann::json> j = ReadJsonFile(path);
  if (!j.ok()) return j.status();
  const nlohmann::json& v = *j;
  const char* keys[] = {"server_id",     "disk",        "disk_size",        "block_size",
                        "epoch",         "applied_seq", "full_sync_cursor", "full_sync_base_seq",
                        "full_sync_done"};
  for (const char* k : keys) {
    const std::string key = k;
    const bool is_string = key == "server_id" || key == "disk";
    const bool is_bool = key == "full_sync_done";
    if (!v.is_object() || !v.contains(k) ||
        !(is_string ? v[k].is_string()
          : is_bool ? v[k].is_boolean()
                    : v[k].is_number_unsigned())) {
      return DataLoss(path.string() + ": missing or mistyped " + key);
    }
  }
  ReplicaState s;
  s.server_id = v["server_id"].get<std::string>();
  s.disk = v["disk"].get<std::string>();
  s.disk_size = v["disk_size"].get<uint64_t>();
  s.block_size = v["block_size"].get<uint32_t>();
  s.epoch = v["epoch"].get<uint64_t>();
  s.applied_seq = v["applied_seq"].get<uint64_t>();
  s.full_sync_cursor = v["full_sync_cursor"].get<uint64_t>();
  s.full_sync_base_seq = v["full_sync_base_seq"].get<uint64_t>();
  s.full_sync_done = v["full_sync_done"].get<bool>();
  if (v.contains("repair_in_progress")) {
    if (!v["repair_in_progress"].is_boolean() || !v.value("repair_cursor", nlohmann::json()).is_number_unsigned() ||
        !v.value("repair_base_seq", nlohmann::json()).is_number_unsigned()) {
      return DataLoss(path.string() + ": mistyped repair_in_progress, repair_cursor or repair_base_seq");
    }
    s.repair_in_progress = v["repair_in_progress"].get<bool>();
    s.repair_cursor = v["repair_cursor"].get<uint64_t>();
    s.repair_base_seq = v["repair_base_seq"].get<uint64_t>();
  }
  return s;
}

Status SaveReplicaState(const std::filesystem::path& path, const ReplicaState& s) {
  nlohmann::json v = {{"server_id", s.server_id},
                      {"disk", s.disk},
                      {"disk_size", s.disk_size},
                      {"block_size", s.block_size},
                      {"epoch", s.epoch},
                      {"applied_seq", s.applied_seq},
                      {"full_sync_cursor", s.full_sync_cursor},
                      {"full_sync_base_seq", s.full_sync_base_seq},
                      {"full_sync_done", s.full_sync_done},
                      {"repair_in_progress", s.repair_in_progress},
                      {"repair_cursor", s.repair_cursor},
                      {"repair_base_seq", s.repair_base_seq},
                      {"consistent", s.consistent()}};
  return WriteJsonFileAtomically(path, v);
}

}  // namespace cdr::shadow
