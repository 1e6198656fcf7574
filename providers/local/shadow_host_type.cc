// `shadow_host`: the DR side of one protected server (cdr-shadow and its replicas), with its recovery points:
// `set_recovery_policy`, `request_recovery_point` and `recovery_points`.
#include "providers/local/local_resources.h"
#include "providers/resource_handlers.h"

namespace cdr::providers::local {

ResourceTypeDef ShadowHostType(std::shared_ptr<LocalProvider> cloud) {
  ResourceTypeDef def{types::ShadowHostSchema(), {}};
  def.handlers.create =
      Creator<ShadowHostRequest>([cloud](const ShadowHostRequest& r) { return cloud->CreateShadowHost(r); });
  def.handlers.read = [cloud](const std::string& id) { return AsJson(cloud->DescribeShadowHost(id)); };
  def.handlers.remove = [cloud](const std::string& id) { return cloud->DeleteShadowHost(id); };
  auto& ops = def.handlers.operations;
  ops[std::string(OperationName(Operation::kSetRecoveryPolicy))] = OperationOn<RecoveryPolicyRequest>(
      "shadow_host_id", [cloud](const RecoveryPolicyRequest& r) { return cloud->SetRecoveryPolicy(r); });
  ops[std::string(OperationName(Operation::kRequestRecoveryPoint))] = OperationOn<RecoveryPointRequest>(
      "shadow_host_id", [cloud](const RecoveryPointRequest& r) { return cloud->RequestRecoveryPoint(r); });
  ops[std::string(OperationName(Operation::kRecoveryPoints))] =
      OperationOn<RecoveryPolicyRequest>("shadow_host_id", [cloud](const RecoveryPolicyRequest& r) {
        return cloud->ListRecoveryPoints(r.shadow_host_id, r.server_id);
      });
  return def;
}

}  // namespace cdr::providers::local
