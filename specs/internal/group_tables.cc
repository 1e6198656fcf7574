#include "specs/internal/group_tables.h"

#include <array>
#include <string_view>

#include "common/name_rules.h"
#include "specs/internal/parse_dr_host.h"
#include "specs/internal/toml_reader.h"

namespace cdr::specs::internal {
namespace {

// The lists also hold keys that belong to the per-server tables only, so writing one gets a message that says
// why instead of a bare "unknown key".
constexpr std::array<std::string_view, 9> kFailoverKeys = {"recovery_point", "confirm", "name_suffix",
                                                           "flavor",         "disk_type", "name",
                                                           "ip",             "eip",       "verify"};
constexpr std::array<std::string_view, 6> kFailbackKeys = {"restore_to_original", "cutover", "name_suffix",
                                                           "flavor",              "name",    "ip"};

// Keys a group table cannot take: one value would be given to every server of the group.
void ReportPerServerKeys(TableReader& r, std::span<const std::string_view> keys, const std::string& table,
                         const std::string& why) {
  for (std::string_view key : keys) {
    if (r.Node(key)) {
      r.Report(key, "belongs to [group.server." + table + "] only: " + why + "; remove it here, or declare "
                    "[group.server." + table + "] per server instead of [group." + table + "]");
    }
  }
}

GroupFailoverSpec ParseFailoverTable(const toml::table& table, TableReader& group, std::vector<Diagnostic>* out) {
  TableReader r(table, group.file(), JoinPath(group.path(), "failover"), kFailoverKeys, out);
  GroupFailoverSpec f;
  f.pos = r.pos();
  f.recovery_point = ParseRecoveryPoint(r);
  if (std::optional<bool> confirm = r.Bool("confirm")) f.confirm = *confirm;
  f.name_suffix_pos = r.ValuePos("name_suffix");
  if (std::optional<std::string> suffix = r.String("name_suffix", /*required=*/false)) f.name_suffix = *suffix;
  if (std::optional<std::string> flavor = r.String("flavor", /*required=*/false)) f.flavor = *flavor;
  if (std::optional<std::string> disk = r.OneOf("disk_type", kDiskTypes)) f.disk_type = *disk;
  ReportPerServerKeys(r, std::array<std::string_view, 3>{"name", "ip", "eip"}, "failover",
                      "every server's DR host needs its own (the group's are named <server name><name_suffix>, "
                      "with addresses by DHCP)");
  if (r.Node("verify")) {
    r.Report("verify", "belongs to [group.server.drill] only: check the failed-over hosts yourself, then set "
                       "confirm = true");
  }
  r.ReportUnknownKeys();
  return f;
}

GroupFailbackSpec ParseFailbackTable(const toml::table& table, TableReader& group, std::vector<Diagnostic>* out) {
  TableReader r(table, group.file(), JoinPath(group.path(), "failback"), kFailbackKeys, out);
  GroupFailbackSpec f;
  f.pos = r.pos();
  if (std::optional<bool> restore = r.Bool("restore_to_original")) f.restore_to_original = *restore;
  if (std::optional<bool> cutover = r.Bool("cutover")) f.cutover = *cutover;
  f.name_suffix_pos = r.ValuePos("name_suffix");
  if (std::optional<std::string> suffix = r.String("name_suffix", /*required=*/false)) f.name_suffix = *suffix;
  if (std::optional<std::string> flavor = r.String("flavor", /*required=*/false)) f.flavor = *flavor;
  if (f.restore_to_original) {
    for (std::string_view key : {"name_suffix", "flavor"}) {
      if (r.Node(key)) {
        r.Report(key, "launches new production hosts, which only restore_to_original = false does: remove it, "
                      "or set restore_to_original = false");
      }
    }
  } else if (!r.Node("name_suffix")) {
    r.Report("name_suffix", "restore_to_original = false fails every server back to a new production host: give "
                            "name_suffix (name_suffix = \"-new\" names web-1's new host web-1-new), each new host's "
                            "id from then on");
  }
  ReportPerServerKeys(r, std::array<std::string_view, 2>{"name", "ip"}, "failback",
                      "every new production host needs its own (the group's are named <server name><name_suffix>, "
                      "with addresses by DHCP)");
  r.ReportUnknownKeys();
  return f;
}

// "" when `name` is a usable host name, else why not, for the group table's name_suffix.
std::string DerivedNameProblem(const ParsedServer& server, const std::string& name, const char* what) {
  const std::string problems = DrHostNameProblems(name);
  if (problems.empty()) return "";
  return "server " + server.spec.name + "'s " + what + " would be named `" + name +
         "` (its name + name_suffix): " + problems + "; choose another name_suffix";
}

std::string TwoTablesMessage(const SourcePos& group_table, const char* table, const char* what) {
  return std::string("the group declares [group.") + table + "] (" + Where(group_table) + "), which " + what +
         ": remove this [group.server." + table + "], or remove [group." + table + "] to do it server by server";
}

void ExpandFailover(const GroupFailoverSpec& g, const std::string& group_path, ParsedServer* server,
                    std::vector<Diagnostic>* out) {
  ServerSpec& s = server->spec;
  if (s.failover) {
    out->push_back({s.failover->host.pos, server->path + ".failover",
                    TwoTablesMessage(g.pos, "failover", "fails every server of the group over at one point")});
    return;
  }
  if (s.drill) {
    out->push_back({g.pos, group_path + ".failover",
                    "failover is allowed only with no drill: server " + s.name + " has [group.server.drill] (" +
                        Where(s.drill->host.pos) + "); remove it first"});
  }
  FailoverSpec f;
  f.from_group = true;
  f.confirm = g.confirm;
  f.host.name = s.name + g.name_suffix;
  f.host.flavor = g.flavor;
  f.host.disk_type = g.disk_type;
  f.host.recovery_point = g.recovery_point;
  f.host.pos = g.pos;
  f.host.name_pos = g.name_suffix_pos;
  if (server->name_ok) {
    if (std::string problem = DerivedNameProblem(*server, f.host.name, "DR host"); !problem.empty()) {
      out->push_back({g.name_suffix_pos, group_path + ".failover.name_suffix", problem});
    } else {
      server->failover_name_ok = true;
    }
  }
  s.failover = std::move(f);
}

void ExpandFailback(const GroupFailbackSpec& g, const std::string& group_path, ParsedServer* server,
                    std::vector<Diagnostic>* out) {
  ServerSpec& s = server->spec;
  if (s.failback) {
    out->push_back({s.failback->pos, server->path + ".failback",
                    TwoTablesMessage(g.pos, "failback", "brings every server of the group home")});
    return;
  }
  FailbackSpec f;
  f.from_group = true;
  f.restore_to_original = g.restore_to_original;
  f.cutover = g.cutover;
  f.flavor = g.flavor;
  f.pos = g.pos;
  f.name_pos = g.name_suffix_pos;
  if (!g.restore_to_original && !g.name_suffix.empty()) {
    f.name = s.name + g.name_suffix;
    if (std::string problem = DerivedNameProblem(*server, f.name, "new production host");
        server->name_ok && !problem.empty()) {
      out->push_back({g.name_suffix_pos, group_path + ".failback.name_suffix", problem});
    }
  }
  s.failback = std::move(f);
}

}  // namespace

void ParseGroupTables(TableReader& r, ParsedGroup* group, std::vector<Diagnostic>* out) {
  if (const toml::table* failover = r.Table("failover")) group->spec.failover = ParseFailoverTable(*failover, r, out);
  if (const toml::table* failback = r.Table("failback")) group->spec.failback = ParseFailbackTable(*failback, r, out);
}

void ExpandGroupTables(ParsedGroup* group, std::vector<Diagnostic>* out) {
  for (ParsedServer& server : group->servers) {
    if (group->spec.failover) ExpandFailover(*group->spec.failover, group->path, &server, out);
    if (group->spec.failback) ExpandFailback(*group->spec.failback, group->path, &server, out);
  }
}

}  // namespace cdr::specs::internal
