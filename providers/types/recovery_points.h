// The recovery point operations of a `shadow_host` (providers/types/shadow_host.h): `set_recovery_policy`,
// `request_recovery_point` and `recovery_points`. Their argument and answer structs, JSON forms and typed
// calls.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "providers/resource_provider.h"

namespace cdr::providers {

// How often a shadow host takes recovery points for one server, and how many it keeps. Every point in between
// (any point in time) stays restorable from the oldest kept point to now.
struct RecoveryPolicyRequest {
  std::string shadow_host_id;
  std::string server_id;
  int every_seconds = 3600;
  int keep = 24;
};

struct RecoveryPoint {
  std::string id;  // "rp-20261125T010000Z": derived from the time, the same on every server of a schedule
  int64_t time_ns = 0;  // UTC
  std::string kind;     // "scheduled" | "manual"
  uint64_t bytes = 0;   // data written since the previous point (what keeping this point costs)
};

struct RecoveryPoints {
  std::vector<RecoveryPoint> points;  // oldest first
  // Any time in [window_start_ns, window_end_ns] can be restored (per write); 0/0 while there is no history
  // yet.
  int64_t window_start_ns = 0;
  int64_t window_end_ns = 0;
  uint64_t history_bytes = 0;  // disk space the history (base, CDP log) takes on the shadow host
  std::map<std::string, std::string> refused;  // requested point id → why the shadow host could not take it
};

// A point at a given instant, named by the caller: the same id and time on every server of a group makes a
// group-consistent point (Zerto's VPG checkpoint).
struct RecoveryPointRequest {
  std::string shadow_host_id;
  std::string server_id;
  std::string id;
  int64_t time_ns = 0;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPolicyRequest, shadow_host_id, server_id,
                                                every_seconds, keep)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPoint, id, time_ns, kind, bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPoints, points, window_start_ns, window_end_ns,
                                                history_bytes, refused)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RecoveryPointRequest, shadow_host_id, server_id, id, time_ns)

namespace types {

Status SetRecoveryPolicy(ResourceProvider& provider, const RecoveryPolicyRequest& request);
Result<RecoveryPoints> ListRecoveryPoints(ResourceProvider& provider, const std::string& shadow_host_id,
                                          const std::string& server_id);
// Returns once asked; the point shows in ListRecoveryPoints when every disk is durable past the time (or in
// `refused` with the reason).
Status RequestRecoveryPoint(ResourceProvider& provider, const RecoveryPointRequest& request);

}  // namespace types
}  // namespace cdr::providers
