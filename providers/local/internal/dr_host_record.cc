#include "providers/local/internal/dr_host_record.h"

#include "common/json_file.h"

namespace cdr::providers::local::internal {

using nlohmann::json;

json DrHostToJson(const DrHostRecord& record) {
  const DrHost& h = record.host;
  return {{"id", h.id},
          {"name", h.name},
          {"purpose", h.purpose},
          {"zone", h.zone},
          {"server_id", h.server_id},
          {"shadow_host_id", h.shadow_host_id},
          {"flavor", h.flavor},
          {"ip", h.ip},
          {"disk_type", h.disk_type},
          {"eip", h.eip},
          {"recovery_point", h.recovery_point},
          {"point_id", h.point_id},
          {"point_time_ns", h.point_time_ns},
          {"nbd_address", h.nbd_address},
          {"nbd_tls_dir", h.nbd_tls_dir},
          {"disks", h.disks},
          {"standalone", h.standalone},
          {"group", h.group},
          {"server_name", h.server_name},
          {"metrics_address", h.metrics_address},
          {"client_token", record.client_token},
          {"pid", record.pid},
          {"replica_dir", record.replica_dir}};
}

Result<DrHostRecord> ReadDrHost(const std::filesystem::path& path) {
  auto j = ReadJsonFile(path);
  if (!j.ok()) return j.status();
  try {
    DrHostRecord record;
    DrHost& h = record.host;
    h.id = j->at("id").get<std::string>();
    h.name = j->at("name").get<std::string>();
    h.purpose = j->at("purpose").get<std::string>();
    h.zone = j->at("zone").get<std::string>();
    h.server_id = j->at("server_id").get<std::string>();
    h.shadow_host_id = j->value("shadow_host_id", "");
    h.flavor = j->value("flavor", "");
    h.ip = j->value("ip", "");
    h.disk_type = j->value("disk_type", "");
    h.eip = j->value("eip", "");
    h.recovery_point = j->value("recovery_point", "latest");
    h.point_id = j->value("point_id", "");
    h.point_time_ns = j->value("point_time_ns", int64_t{0});
    h.nbd_address = j->value("nbd_address", "");
    h.nbd_tls_dir = j->value("nbd_tls_dir", "");
    h.disks = j->value("disks", std::vector<std::string>{});
    h.standalone = j->value("standalone", false);
    h.group = j->value("group", "");
    h.server_name = j->value("server_name", "");
    h.metrics_address = j->value("metrics_address", "");
    record.client_token = j->value("client_token", "");
    record.pid = j->value("pid", 0);
    record.replica_dir = j->value("replica_dir", "");
    return record;
  } catch (const json::exception& e) {
    return DataLoss(path.string() + ": " + e.what());
  }
}

}  // namespace cdr::providers::local::internal
