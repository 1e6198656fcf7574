// JSON bodies of the control API (docs/agent-api.md). Field names are the struct members' names, so the wire
// format reads like agent/replication_control.h. Decoding checks types and ranges and names the field at
// fault, because these bodies come from another process and a wrong one must be refused, not half-applied.
#pragma once

#include <nlohmann/json.hpp>

#include "agent/replication_control.h"
#include "common/status.h"

namespace cdr::agent::api {

nlohmann::json ToJson(const ReplicationTarget& target);
nlohmann::json ToJson(const DiskVerifyStatus& verify);
nlohmann::json ToJson(const DiskReplicationStatus& disk);
nlohmann::json ToJson(const AgentSettings& settings);
nlohmann::json ToJson(const SettingsUpdate& update);  // only the fields given
nlohmann::json ToJson(const AgentStatus& status);     // "settings" only when known

// Missing optional fields take the struct defaults; shadow_address (HOST:PORT) and server_id are required and
// outage_window_seconds must be > 0. Unknown fields are refused so a typo does not silently keep a default.
Result<ReplicationTarget> ReplicationTargetFromJson(const nlohmann::json& json);
Result<DiskReplicationStatus> DiskReplicationStatusFromJson(const nlohmann::json& json);
Result<AgentStatus> AgentStatusFromJson(const nlohmann::json& json);
// The body of POST /v1/replication/verify: {} or {"bytes": N}; an empty body is {}.
Result<VerifyRequest> VerifyRequestFromJson(const nlohmann::json& json);

// The body of POST /v1/settings: any of sync_mode, rate_bytes_per_second, outage_window_seconds (> 0) and
// journal_max_bytes (> 0); absent or null fields keep their value, unknown ones are refused.
Result<SettingsUpdate> SettingsUpdateFromJson(const nlohmann::json& json);

// "HOST:PORT" or "[IPv6]:PORT" with a port in 1..65535; the message names `field`.
Status ValidateHostPort(const std::string& field, const std::string& address);

}  // namespace cdr::agent::api
