// The agent settings a server's spec may set (docs/spec.md#agent-settings), in one table: each key's name —
// the same in the spec, the state's attributes and the plan — the agent's default, and how it maps onto the
// agent's AgentSettings (agent/replication_control.h). A key the spec does not set is not managed by cdr: the
// agent keeps its own value. Each is changed on a running agent in place (SetSettings), never by a resync.
//
//   spec / state / plan          agent (AgentSettings)        default
//   replication_mode  "async"    sync_mode false              "async"
//   replication_rate_mib  N      rate_bytes_per_second N MiB  0 (unlimited)
//   outage_window_seconds  N     outage_window_seconds N      300
//   journal_max_mib  N           journal_max_bytes N MiB      1024
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/replication_control.h"

namespace cdr::reconcile {

enum class AgentSettingKey { kReplicationMode, kReplicationRateMib, kOutageWindowSeconds, kJournalMaxMib };

inline constexpr std::array<AgentSettingKey, 4> kAgentSettingKeys = {
    AgentSettingKey::kReplicationMode, AgentSettingKey::kReplicationRateMib,
    AgentSettingKey::kOutageWindowSeconds, AgentSettingKey::kJournalMaxMib};

const char* AgentSettingName(AgentSettingKey key);  // "replication_mode", …

// The value of `key` as the state and the plan hold it ("sync", a number of MiB or seconds). A byte count
// that is not a whole number of MiB comes out as a fraction, so it never equals a spec value by rounding.
nlohmann::json AgentSettingValue(AgentSettingKey key, const agent::AgentSettings& settings);
nlohmann::json AgentSettingDefault(AgentSettingKey key);
// Every key with the agent's value, for status and observations; "unknown" when the agent did not say.
nlohmann::json AgentSettingsJson(const std::optional<agent::AgentSettings>& settings);

// The managed settings of `attributes` (the keys present) as a change for the agent; none present: empty.
agent::SettingsUpdate SettingsUpdateOf(const nlohmann::json& attributes);
bool HasManagedSettings(const nlohmann::json& attributes);
// Gives a start target the managed sync mode, rate and outage window, so a start never undoes them.
void ApplyManagedSettings(const nlohmann::json& attributes, agent::ReplicationTarget* target);

// "replication_rate_mib = 40 (state: 20), journal_max_mib = 512 (state: 1024)" for the managed keys of
// `state` whose value differs in `reported`; empty when they agree.
std::string DescribeSettingsDrift(const nlohmann::json& state, const agent::AgentSettings& reported);

}  // namespace cdr::reconcile
