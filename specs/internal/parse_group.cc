#include "specs/internal/parse_group.h"

#include <array>
#include <string_view>

#include "common/name_rules.h"
#include "specs/internal/agent_version_rule.h"
#include "specs/internal/group_tables.h"
#include "specs/internal/parse_dr_host.h"
#include "specs/internal/parse_failback.h"
#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

constexpr std::array<std::string_view, 9> kGroupKeys = {
    "name", "renamed_from", "production_zone", "dr_zone", "vpc", "rpo_alert_seconds", "server", "failover",
    "failback"};
constexpr std::array<std::string_view, 15> kServerKeys = {
    "name", "host", "replication", "dr_disk_type", "auto_restart", "recovery_points",
    "drill", "failover", "failback", "renamed_from", "agent_version",
    "replication_mode", "replication_rate_mib", "outage_window_seconds", "journal_max_mib"};
constexpr std::array<std::string_view, 3> kRecoveryPointKeys = {"every_hours", "every_seconds", "keep"};
constexpr std::array<std::string_view, 2> kReplicationValues = {"running", "stopped"};
constexpr std::array<std::string_view, 2> kReplicationModes = {"async", "sync"};

// Bounds: a window under 10 s turns a network blip into a repair; a journal under one 64 MiB segment fills at
// once; 100000 MiB/s is past any link.
AgentSettingsSpec ParseAgentSettings(TableReader& r) {
  AgentSettingsSpec a;
  a.replication_mode = r.OneOf("replication_mode", kReplicationModes);
  a.replication_rate_mib = r.Int("replication_rate_mib", 0, 100000);
  a.outage_window_seconds = r.Int("outage_window_seconds", 10, 86400);
  a.journal_max_mib = r.Int("journal_max_mib", 64, 1048576);
  return a;
}

RecoveryPointPolicy ParseRecoveryPoints(const toml::table& table, TableReader& server,
                                        std::vector<Diagnostic>* out) {
  RecoveryPointPolicy policy;
  TableReader r(table, server.file(), JoinPath(server.path(), "recovery_points"), kRecoveryPointKeys, out);
  policy.pos = r.pos();
  if (std::optional<int> every = r.Int("every_hours", 1, 24)) policy.every_hours = *every;
  if (std::optional<int> every = r.Int("every_seconds", 1, 86400)) policy.every_seconds = *every;
  // Two intervals would leave the reader guessing which one wins; refuse rather than pick one silently.
  if (table.contains("every_hours") && table.contains("every_seconds")) {
    policy.every_seconds = 0;
    r.Report("every_seconds", "cannot be combined with every_hours (" + Where(r.ValuePos("every_hours")) +
                                  "): write one interval, every_seconds replaces every_hours");
  }
  if (std::optional<int> keep = r.Int("keep", 1, 1000)) policy.keep = *keep;
  r.ReportUnknownKeys();
  return policy;
}

void ParseDrHosts(TableReader& r, ParsedServer& server, std::vector<Diagnostic>* out) {
  ServerSpec& s = server.spec;
  if (const toml::table* drill = r.Table("drill")) {
    s.drill = ParseDrill(*drill, r.file(), JoinPath(r.path(), "drill"), &server.drill_name_ok, out);
  }
  if (const toml::table* failover = r.Table("failover")) {
    s.failover =
        ParseFailover(*failover, r.file(), JoinPath(r.path(), "failover"), &server.failover_name_ok, out);
  }
  // CT-CDR refuses a failover while a drill exists (user guide 3.4): confirming the failover deletes the
  // shadow host that the drill's disks are read from.
  if (s.drill && s.failover) {
    out->push_back({s.failover->host.pos, JoinPath(r.path(), "failover"),
                    "failover is allowed only with no drill: remove [group.server.drill] (" +
                        Where(s.drill->host.pos) + ") first"});
  }
}

// Zones, VPCs and hosts name directories and resources in the cloud: one path component each, and never
// echoed raw (a newline in one would forge a line of output).
std::optional<std::string> Identifier(TableReader& r, std::string_view key) {
  std::optional<std::string> value = r.String(key, /*required=*/true);
  if (!value) return std::nullopt;
  if (std::string problems = IdentifierProblems(*value); !problems.empty()) {
    r.Report(key, "invalid " + std::string(key) + ": " + problems);
    return std::nullopt;
  }
  return value;
}

ParsedServer ParseServer(const toml::table& table, const std::string& file, const std::string& group_path,
                         size_t index, std::vector<Diagnostic>* out) {
  ParsedServer server;
  ServerSpec& s = server.spec;
  TableReader r(table, file, group_path + ".server[" + std::to_string(index) + "]", kServerKeys, out);
  s.pos = r.pos();
  s.name_pos = r.ValuePos("name");
  if (std::optional<std::string> name = r.String("name", /*required=*/true)) {
    s.name = *name;
    if (std::string problems = ServerNameProblems(*name); !problems.empty()) {
      r.Report("name", "invalid server name `" + *name + "` (it becomes the DR host name): " + problems);
    } else {
      server.name_ok = true;
      r.set_path(group_path + ".server." + *name);
    }
  }
  server.path = r.path();
  s.renamed_from_pos = table.contains("renamed_from") ? r.ValuePos("renamed_from") : SourcePos{file, 0, 0};
  if (std::optional<std::string> old_name = r.String("renamed_from", /*required=*/false)) {
    if (std::string problems = ServerNameProblems(*old_name); !problems.empty()) {
      r.Report("renamed_from", "invalid server name `" + *old_name + "`: " + problems);
    } else if (*old_name == s.name) {
      r.Report("renamed_from", "must differ from `name` (both are `" + *old_name + "`); remove it if not renaming");
    } else {
      s.renamed_from = *old_name;
    }
  }
  s.host_pos = r.ValuePos("host");
  if (std::optional<std::string> host = Identifier(r, "host")) s.host = *host;
  if (std::optional<std::string> replication = r.OneOf("replication", kReplicationValues)) {
    s.replication = ParseReplication(*replication).value_or(Replication::kRunning);
  }
  if (std::optional<std::string> disk = r.OneOf("dr_disk_type", kDiskTypes)) s.dr_disk_type = *disk;
  if (std::optional<bool> restart = r.Bool("auto_restart")) s.auto_restart = *restart;
  s.agent_settings = ParseAgentSettings(r);
  s.agent_version_pos = r.ValuePos("agent_version");
  if (std::optional<std::string> version = r.String("agent_version", /*required=*/false)) {
    if (std::string problems = AgentVersionProblems(*version); !problems.empty()) {
      r.Report("agent_version", "invalid agent_version: " + problems);
    } else {
      s.agent_version = *version;
    }
  }
  s.recovery_points.pos = {file, 0, 0};
  if (const toml::table* points = r.Table("recovery_points"))
    s.recovery_points = ParseRecoveryPoints(*points, r, out);
  ParseDrHosts(r, server, out);
  if (const toml::table* failback = r.Table("failback")) {
    s.failback = ParseFailback(*failback, r.file(), JoinPath(r.path(), "failback"), out);
  }
  r.ReportUnknownKeys();
  return server;
}

}  // namespace

ParsedGroup ParseGroup(const toml::table& table, const std::string& file, size_t index,
                       std::vector<Diagnostic>* out) {
  ParsedGroup group;
  GroupSpec& g = group.spec;
  TableReader r(table, file, "group[" + std::to_string(index) + "]", kGroupKeys, out);
  g.pos = r.pos();
  g.name_pos = r.ValuePos("name");
  if (std::optional<std::string> name = r.String("name", /*required=*/true)) {
    g.name = *name;
    if (std::string problems = GroupNameProblems(*name); !problems.empty()) {
      r.Report("name", "invalid group name `" + *name + "`: " + problems);
    } else {
      group.name_ok = true;
      r.set_path("group." + *name);
    }
  }
  group.path = r.path();

  g.renamed_from_pos = table.contains("renamed_from") ? r.ValuePos("renamed_from") : SourcePos{file, 0, 0};
  if (std::optional<std::string> old_name = r.String("renamed_from", /*required=*/false)) {
    if (std::string problems = GroupNameProblems(*old_name); !problems.empty()) {
      r.Report("renamed_from", "invalid group name `" + *old_name + "`: " + problems);
    } else if (*old_name == g.name) {
      r.Report("renamed_from",
               "must differ from `name` (both are `" + *old_name + "`); remove it if not renaming");
    } else {
      g.renamed_from = *old_name;
    }
  }

  if (std::optional<std::string> zone = Identifier(r, "production_zone")) g.production_zone = *zone;
  if (std::optional<std::string> zone = Identifier(r, "dr_zone")) {
    g.dr_zone = *zone;
    if (g.dr_zone == g.production_zone) {
      r.Report("dr_zone", "must differ from production_zone (both are `" + g.dr_zone +
                              "`): the DR copy must survive the loss of the production zone");
    }
  }
  if (std::optional<std::string> vpc = Identifier(r, "vpc")) g.vpc = *vpc;
  if (std::optional<int> rpo = r.Int("rpo_alert_seconds", 1, 86400)) g.rpo_alert_seconds = *rpo;

  for (const auto& [i, server] : r.ArrayOfTables("server", "group.server")) {
    group.servers.push_back(ParseServer(*server, file, group.path, i, out));
  }
  ParseGroupTables(r, &group, out);
  ExpandGroupTables(&group, out);
  r.ReportUnknownKeys();
  return group;
}

}  // namespace cdr::specs::internal
