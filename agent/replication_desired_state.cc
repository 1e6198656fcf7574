#include "agent/replication_desired_state.h"

#include <nlohmann/json.hpp>

#include "common/json_file.h"

namespace cdr::agent {
namespace {

using nlohmann::json;

json TargetToJson(const ReplicationTarget& t) {
  return {{"shadow_address", t.shadow_address},
          {"server_id", t.server_id},
          {"sync_mode", t.sync_mode},
          {"auto_restart", t.auto_restart},
          {"rate_bytes_per_second", t.rate_bytes_per_second},
          {"outage_window_seconds", t.outage_window_seconds},
          {"compare_first", t.compare_first},
          {"production_seqs", t.production_seqs},
          {"group", t.group},
          {"server_name", t.server_name}};
}

json SettingsToJson(const AgentSettings& s) {
  return {{"sync_mode", s.sync_mode},
          {"rate_bytes_per_second", s.rate_bytes_per_second},
          {"outage_window_seconds", s.outage_window_seconds},
          {"journal_max_bytes", s.journal_max_bytes}};
}

// Reads `object[key]` into `out` when present; a value of the wrong type is an error naming `where.key`.
template <typename T>
Status ReadField(const json& object, const std::string& where, const char* key, bool required, T* out) {
  const auto it = object.find(key);
  if (it == object.end()) {
    return required ? DataLoss(where + "." + key + " is missing") : Status::Ok();
  }
  bool type_ok = false;
  if constexpr (std::is_same_v<T, bool>) {
    type_ok = it->is_boolean();
  } else if constexpr (std::is_same_v<T, std::string>) {
    type_ok = it->is_string();
  } else if constexpr (std::is_unsigned_v<T>) {
    type_ok = it->is_number_unsigned();
  } else {
    type_ok = it->is_number_integer();
  }
  if (!type_ok) return DataLoss(where + "." + key + " has the wrong type: " + it->dump());
  *out = it->get<T>();
  return Status::Ok();
}

Status Parse(const json& j, DesiredReplication* out) {
  if (!j.is_object()) return DataLoss("not a JSON object");
  std::string run_state;
  CDR_RETURN_IF_ERROR(ReadField(j, "", "desired", true, &run_state));
  if (run_state != "running" && run_state != "stopped") {
    return DataLoss(".desired must be \"running\" or \"stopped\", not \"" + run_state + "\"");
  }
  out->running = run_state == "running";
  if (const auto t = j.find("target"); t != j.end() && !t->is_null()) {
    if (!t->is_object()) return DataLoss(".target is not an object");
    ReplicationTarget target;
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "shadow_address", true, &target.shadow_address));
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "server_id", true, &target.server_id));
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "sync_mode", false, &target.sync_mode));
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "auto_restart", false, &target.auto_restart));
    CDR_RETURN_IF_ERROR(
        ReadField(*t, ".target", "rate_bytes_per_second", false, &target.rate_bytes_per_second));
    CDR_RETURN_IF_ERROR(
        ReadField(*t, ".target", "outage_window_seconds", false, &target.outage_window_seconds));
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "compare_first", false, &target.compare_first));
    if (const auto seqs = t->find("production_seqs"); seqs != t->end()) {
      if (!seqs->is_object()) return DataLoss(".target.production_seqs is not an object");
      for (const auto& [disk, seq] : seqs->items()) {
        CDR_RETURN_IF_ERROR(
            ReadField(*seqs, ".target.production_seqs", disk.c_str(), true, &target.production_seqs[disk]));
      }
    }
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "group", false, &target.group));
    CDR_RETURN_IF_ERROR(ReadField(*t, ".target", "server_name", false, &target.server_name));
    out->target = target;
  }
  if (const auto st = j.find("settings"); st != j.end() && !st->is_null()) {
    if (!st->is_object()) return DataLoss(".settings is not an object");
    AgentSettings settings;
    CDR_RETURN_IF_ERROR(ReadField(*st, ".settings", "sync_mode", true, &settings.sync_mode));
    CDR_RETURN_IF_ERROR(
        ReadField(*st, ".settings", "rate_bytes_per_second", true, &settings.rate_bytes_per_second));
    CDR_RETURN_IF_ERROR(
        ReadField(*st, ".settings", "outage_window_seconds", true, &settings.outage_window_seconds));
    CDR_RETURN_IF_ERROR(ReadField(*st, ".settings", "journal_max_bytes", true, &settings.journal_max_bytes));
    if (settings.outage_window_seconds <= 0 || settings.journal_max_bytes == 0) {
      return DataLoss(".settings: outage_window_seconds and journal_max_bytes must be > 0");
    }
    out->settings = settings;
  }
  if (out->running && !out->target) return DataLoss(".desired is \"running\" but there is no .target");
  if (const auto d = j.find("disks"); d != j.end()) {
    if (!d->is_object()) return DataLoss(".disks is not an object");
    for (const auto& [name, disk] : d->items()) {
      const std::string where = ".disks." + name;
      if (!disk.is_object()) return DataLoss(where + " is not an object");
      DiskReplicationMemory memory;
      CDR_RETURN_IF_ERROR(ReadField(disk, where, "full_sync_done", false, &memory.full_sync_done));
      CDR_RETURN_IF_ERROR(ReadField(disk, where, "error", false, &memory.error));
      if (disk.contains("acked_seq")) {
        uint64_t acked = 0;
        CDR_RETURN_IF_ERROR(ReadField(disk, where, "acked_seq", true, &acked));
        memory.acked_seq = acked;
      }
      CDR_RETURN_IF_ERROR(ReadField(disk, where, "resync_dirty", false, &memory.resync_dirty));
      out->disks[name] = memory;
    }
  }
  return Status::Ok();
}

}  // namespace

std::filesystem::path DesiredReplicationPath(const std::filesystem::path& state_dir) {
  return state_dir / "replication.json";
}

Result<DesiredReplication> LoadDesiredReplication(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return DesiredReplication{};
  Result<json> j = ReadJsonFile(path);
  if (!j.ok()) return j.status();
  DesiredReplication desired;
  if (Status s = Parse(*j, &desired); !s.ok()) return DataLoss(path.string() + ": " + s.message());
  return desired;
}

Status SaveDesiredReplication(const std::filesystem::path& path, const DesiredReplication& desired) {
  json j = {{"desired", desired.running ? "running" : "stopped"},
            {"target", desired.target ? TargetToJson(*desired.target) : json(nullptr)},
            {"disks", json::object()},
            {"settings", desired.settings ? SettingsToJson(*desired.settings) : json(nullptr)}};
  for (const auto& [name, memory] : desired.disks) {
    j["disks"][name] = {
        {"full_sync_done", memory.full_sync_done}, {"error", memory.error}, {"resync_dirty", memory.resync_dirty}};
    if (memory.acked_seq) j["disks"][name]["acked_seq"] = *memory.acked_seq;
  }
  return WriteJsonFileAtomically(path, j);
}

}  // namespace cdr::agent
