// `dr_host`: a host brought up in the DR zone from a recovery point (drill or failover); `detach` makes its
// disks standalone (failover confirm), `check` verifies them (a drill's checks).
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef DrHostType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::DrHostSchema(), {}};
  def.handlers.create =
      Creator<DrHostRequest>([cloud](const DrHostRequest& r) { return cloud->CreateDrHost(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribeDrHost(id)); };
  def.handlers.remove = [cloud](const std::string& id) { return cloud->DeleteDrHost(id); };
  auto& ops = def.handlers.operations;
  ops[std::string(OperationName(Operation::kDetach))] = [cloud](const std::string& id, const Json&) {
    return AsJson(cloud->DetachDrHost(id));
  };
  ops[std::string(OperationName(Operation::kCheck))] = [cloud](const std::string& id,
                                                               const Json& args) -> Result<Json> {
    Result<DrHostCheck> check = FromJson<DrHostCheck>(args, "arguments");
    if (!check.ok()) return check.status();
    return AsJson(cloud->CheckDrHost(id, *check));
  };
  return def;
}

}  // namespace cdr::providers::local
