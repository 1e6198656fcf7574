#include "reconcile/agent_settings.h"

#include "common/enum_names.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;

constexpr uint64_t kMiB = uint64_t{1} << 20;

json Mib(uint64_t bytes) {
  if (bytes % kMiB == 0) return bytes / kMiB;
  return static_cast<double>(bytes) / static_cast<double>(kMiB);
}

constexpr EnumName<AgentSettingKey> kSettings[] = {
    {AgentSettingKey::kReplicationMode, "replication_mode"},
    {AgentSettingKey::kReplicationRateMib, "replication_rate_mib"},
    {AgentSettingKey::kOutageWindowSeconds, "outage_window_seconds"},
    {AgentSettingKey::kJournalMaxMib, "journal_max_mib"},
};

// Attribute values are validated by the spec loader; a state edited by hand with a wrong type is ignored here
// rather than sent.
template <typename T>
std::optional<T> Get(const json& attributes, AgentSettingKey key) {
  auto it = attributes.find(AgentSettingName(key));
  if (it == attributes.end()) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return std::nullopt;
  } else {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) return std::nullopt;
  }
  return it->get<T>();
}

}  // namespace

const char* AgentSettingName(AgentSettingKey key) { return NameOf(kSettings, key); }

json AgentSettingValue(AgentSettingKey key, const agent::AgentSettings& s) {
  switch (key) {
    case AgentSettingKey::kReplicationMode:
      return s.sync_mode ? "sync" : "async";
    case AgentSettingKey::kReplicationRateMib:
      return Mib(s.rate_bytes_per_second);
    case AgentSettingKey::kOutageWindowSeconds:
      return s.outage_window_seconds;
    case AgentSettingKey::kJournalMaxMib:
      return Mib(s.journal_max_bytes);
  }
  return nullptr;
}

json AgentSettingDefault(AgentSettingKey key) { return AgentSettingValue(key, agent::AgentSettings{}); }

json AgentSettingsJson(const std::optional<agent::AgentSettings>& settings) {
  if (!settings) return "unknown";
  json out = json::object();
  for (AgentSettingKey key : kAgentSettingKeys)
    out[AgentSettingName(key)] = AgentSettingValue(key, *settings);
  return out;
}

agent::SettingsUpdate SettingsUpdateOf(const json& attributes) {
  agent::SettingsUpdate u;
  if (auto mode = Get<std::string>(attributes, AgentSettingKey::kReplicationMode))
    u.sync_mode = *mode == "sync";
  if (auto rate = Get<uint64_t>(attributes, AgentSettingKey::kReplicationRateMib)) {
    u.rate_bytes_per_second = *rate * kMiB;
  }
  if (auto window = Get<uint64_t>(attributes, AgentSettingKey::kOutageWindowSeconds)) {
    u.outage_window_seconds = static_cast<int>(*window);
  }
  if (auto cap = Get<uint64_t>(attributes, AgentSettingKey::kJournalMaxMib))
    u.journal_max_bytes = *cap * kMiB;
  return u;
}

bool HasManagedSettings(const json& attributes) {
  for (AgentSettingKey key : kAgentSettingKeys) {
    if (attributes.contains(AgentSettingName(key))) return true;
  }
  return false;
}

void ApplyManagedSettings(const json& attributes, agent::ReplicationTarget* target) {
  const agent::SettingsUpdate u = SettingsUpdateOf(attributes);
  if (u.sync_mode) target->sync_mode = *u.sync_mode;
  if (u.rate_bytes_per_second) target->rate_bytes_per_second = *u.rate_bytes_per_second;
  if (u.outage_window_seconds) target->outage_window_seconds = *u.outage_window_seconds;
}

std::string DescribeSettingsDrift(const json& state, const agent::AgentSettings& reported) {
  std::string out;
  for (AgentSettingKey key : kAgentSettingKeys) {
    auto it = state.find(AgentSettingName(key));
    if (it == state.end()) continue;
    const json seen = AgentSettingValue(key, reported);
    if (seen == *it) continue;
    out += (out.empty() ? "" : ", ") + std::string(AgentSettingName(key)) + " = " + seen.dump() +
           " (state: " + it->dump() + ")";
  }
  return out;
}

}  // namespace cdr::reconcile
