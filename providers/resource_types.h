// cdr's resource types and their named operations: the names the generic interface and the provider protocol
// use. One table, read by both sides: the local cloud registers its types under these names
// (providers/local/*_type.cc), each type's typed calls (providers/types/*.h) call them for the reconciler.
//
//   type            id        create  read  list  delete  operations        (list*: by ids only)
//   host            id          ✓      ✓     ✓             -
//   peering         id          ✓      ✓     *     ✓
//   endpoint        id          ✓      ✓     *     ✓
//   agent           host_id     ✓      ✓     *     ✓       upgrade
//   reverse_agent   host_id     ✓      ✓     *     ✓       (a DR host's agent, failback)
//   agent_version   version                  ✓
//   shadow_host     id          ✓      ✓     *     ✓       set_recovery_policy, request_recovery_point,
//                                                           recovery_points
//   dr_host         id          ✓      ✓     *     ✓       detach, check
#pragma once

#include <string_view>

#include "common/enum_names.h"

namespace cdr::providers {

enum class ResourceType {
  kHost,
  kPeering,
  kEndpoint,
  kAgent,
  kReverseAgent,
  kAgentVersion,
  kShadowHost,
  kDrHost
};

inline constexpr EnumName<ResourceType> kResourceTypeNames[] = {
    {ResourceType::kHost, "host"},
    {ResourceType::kPeering, "peering"},
    {ResourceType::kEndpoint, "endpoint"},
    {ResourceType::kAgent, "agent"},
    {ResourceType::kReverseAgent, "reverse_agent"},
    {ResourceType::kAgentVersion, "agent_version"},
    {ResourceType::kShadowHost, "shadow_host"},
    {ResourceType::kDrHost, "dr_host"},
};

constexpr std::string_view TypeName(ResourceType type) { return NameOf(kResourceTypeNames, type); }

enum class Operation {
  kUpgrade,
  kSetRecoveryPolicy,
  kRequestRecoveryPoint,
  kRecoveryPoints,
  kDetach,
  kCheck
};

inline constexpr EnumName<Operation> kOperationNames[] = {
    {Operation::kUpgrade, "upgrade"},
    {Operation::kSetRecoveryPolicy, "set_recovery_policy"},
    {Operation::kRequestRecoveryPoint, "request_recovery_point"},
    {Operation::kRecoveryPoints, "recovery_points"},
    {Operation::kDetach, "detach"},
    {Operation::kCheck, "check"},
};

constexpr std::string_view OperationName(Operation op) { return NameOf(kOperationNames, op); }

}  // namespace cdr::providers
