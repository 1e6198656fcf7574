#include "providers/types/recovery_points.h"

#include "providers/typed_calls.h"

namespace cdr::providers::types {
namespace {

// An operation's request as its arguments: the shadow host's id is the resource the call is on.
template <typename Request>
Json ArgsOf(const Request& request) {
  Json args = request;
  args.erase("shadow_host_id");
  return args;
}

}  // namespace

Status SetRecoveryPolicy(ResourceProvider& provider, const RecoveryPolicyRequest& request) {
  return provider
      .Invoke(Type(ResourceType::kShadowHost), request.shadow_host_id, Op(Operation::kSetRecoveryPolicy),
              ArgsOf(request))
      .status();
}

Result<RecoveryPoints> ListRecoveryPoints(ResourceProvider& provider, const std::string& shadow_host_id,
                                          const std::string& server_id) {
  return As<RecoveryPoints>(provider.Invoke(Type(ResourceType::kShadowHost), shadow_host_id,
                                            Op(Operation::kRecoveryPoints), {{"server_id", server_id}}),
                            "recovery point list");
}

Status RequestRecoveryPoint(ResourceProvider& provider, const RecoveryPointRequest& request) {
  return provider
      .Invoke(Type(ResourceType::kShadowHost), request.shadow_host_id, Op(Operation::kRequestRecoveryPoint),
              ArgsOf(request))
      .status();
}

}  // namespace cdr::providers::types
