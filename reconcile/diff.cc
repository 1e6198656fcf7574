#include "reconcile/diff.h"

#include <algorithm>
#include <map>
#include <set>

#include "reconcile/address.h"
#include "reconcile/agent_settings.h"
#include "reconcile/desired.h"
#include "reconcile/drift_problem.h"
#include "reconcile/group_point.h"
#include "reconcile/host_checks.h"
#include "reconcile/internal/dr_host_transitions.h"
#include "reconcile/internal/failback_transitions.h"
#include "reconcile/internal/failover_exits.h"
#include "reconcile/internal/server_transitions.h"
#include "reconcile/internal/upgrade_transitions.h"
#include "reconcile/server_state.h"
#include "state/record_status.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;

// The state as the spec will see it once renames are done: records of a renamed group or server keyed by new
// addresses.
struct StateView {
  std::map<std::string, const state::ResourceRecord*> by_address;
  std::map<std::string, std::string> renamed;  // new group address → old group address
  // New server address → its old address once the group renames are done (where apply finds it to move it).
  std::map<std::string, std::string> renamed_servers;
};

std::string Rewrite(const std::string& address, const std::string& from, const std::string& to) {
  if (address == from) return to;
  if (address.rfind(from + ".", 0) == 0) return to + address.substr(from.size());
  return address;
}

StateView BuildStateView(const std::vector<DesiredResource>& desired,
                         const std::vector<state::ResourceRecord>& records) {
  std::map<std::string, const state::ResourceRecord*> raw;
  for (const auto& r : records) raw[r.address] = &r;
  StateView view;
  for (const auto& d : desired) {
    if (d.kind == ResourceKind::kGroup && !d.renamed_from_address.empty() &&
        raw.count(d.renamed_from_address) && !raw.count(d.address)) {
      view.renamed[d.address] = d.renamed_from_address;
    }
  }
  for (const auto& [address, record] : raw) {
    std::string effective = address;
    for (const auto& [to, from] : view.renamed) effective = Rewrite(effective, from, to);
    view.by_address[effective] = record;
  }
  // Servers after groups: a server renamed in a renamed group is found under the group's new name.
  for (const auto& d : desired) {
    if (d.kind != ResourceKind::kServer || d.renamed_from_address.empty()) continue;
    if (!view.by_address.count(d.renamed_from_address) || view.by_address.count(d.address)) continue;
    view.renamed_servers[d.address] = d.renamed_from_address;
  }
  if (view.renamed_servers.empty()) return view;
  std::map<std::string, const state::ResourceRecord*> moved;
  for (const auto& [address, record] : view.by_address) {
    std::string effective = address;
    for (const auto& [to, from] : view.renamed_servers) effective = Rewrite(effective, from, to);
    moved[effective] = record;
  }
  view.by_address = std::move(moved);
  return view;
}

// Values of the keys the spec sets, as the state holds them.
json Subset(const json& attributes, const json& keys_from) {
  json out = json::object();
  for (const auto& [key, value] : keys_from.items()) {
    if (attributes.contains(key)) out[key] = attributes[key];
  }
  return out;
}

std::vector<std::string> ChangedKeys(const json& before, const json& after) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key) || before[key] != value) keys.push_back(key);
  }
  return keys;
}

// A setting the state manages but the spec no longer sets goes back to the agent's default
// (agent_settings.h).
json WithUnsetAgentSettings(const json& desired, const json& state) {
  json out = desired;
  for (AgentSettingKey key : kAgentSettingKeys) {
    const char* name = AgentSettingName(key);
    if (state.contains(name) && !desired.contains(name)) out[name] = AgentSettingDefault(key);
  }
  return out;
}

// The settings the agent reports in effect replace the state's in `before`, so what the plan changes is what
// the agent has. Unknown (no answer, or an agent too old to report them) leaves the state's values.
void SeeAgentSettings(const internal::ServerView& view, json* before) {
  if (!view.seen || !view.seen->status || !view.seen->status->settings) return;
  for (AgentSettingKey key : kAgentSettingKeys) {
    const char* name = AgentSettingName(key);
    if (before->contains(name)) (*before)[name] = AgentSettingValue(key, *view.seen->status->settings);
  }
}

std::string UpdateReason(const std::vector<std::string>& changed, const DriftedResource* drift) {
  std::string settings;
  for (const auto& key : changed) {
    for (AgentSettingKey s : kAgentSettingKeys) {
      if (key == AgentSettingName(s)) settings += (settings.empty() ? "" : ", ") + key;
    }
  }
  if (settings.empty()) return "changed in the spec";
  const std::string live = ": the running agent takes " + settings + " in place (no resync)";
  if (drift && ParseDriftProblem(drift->problem) == DriftProblem::kSettingsChanged)
    return "the agent's settings were changed outside cdr" + live;
  return "changed in the spec" + live;
}

class Differ {
 public:
  Differ(const specs::Spec& spec, const std::vector<state::ResourceRecord>& records, const Observed& observed)
      : spec_(spec), desired_(ExpandSpec(spec)), view_(BuildStateView(desired_, records)), observed_(observed) {
    for (const auto& d : desired_) desired_by_address_[d.address] = &d;
    for (const auto& g : spec.groups) desired_groups_.insert(g.name);
  }

  DiffResult Run() {
    for (const auto& [address, d] : observed_.drift) out_.drifted.push_back(d);
    PlanRenames();
    PlanServerDeregistrations();
    for (const auto& g : spec_.groups) ResolveGroupPoint(g);
    for (const auto& d : desired_) PlanDesired(d);
    PlanGroupRemovals();
    return std::move(out_);
  }

 private:
  const state::ResourceRecord* StateOf(const std::string& address) const {
    auto it = view_.by_address.find(address);
    return it == view_.by_address.end() ? nullptr : it->second;
  }
  const DriftedResource* DriftOf(const state::ResourceRecord& r) const {
    auto it = observed_.drift.find(r.address);
    return it == observed_.drift.end() ? nullptr : &it->second;
  }
  void Add(ResourceChange c) { out_.changes.push_back(std::move(c)); }

  internal::ServerView ViewOf(const std::string& address, const state::ResourceRecord* r) const {
    internal::ServerView v;
    v.address = address;
    if (r) {
      auto seen = observed_.servers.find(r->address);
      if (seen != observed_.servers.end()) v.seen = &seen->second;
      v.state = EffectiveServerState(*r, v.seen);
    }
    v.shadow = StateOf(ShadowHostAddress(address));
    if (v.shadow) {
      auto drift = observed_.drift.find(v.shadow->address);
      const std::optional<DriftProblem> problem =
          drift != observed_.drift.end() ? ParseDriftProblem(drift->second.problem) : std::nullopt;
      v.shadow_gone = problem == DriftProblem::kDeleted;
      v.shadow_stopped = problem == DriftProblem::kShadowHostStopped;
    }
    if (r) {
      auto drift = observed_.drift.find(r->address);
      v.target_stale = drift != observed_.drift.end() &&
                       ParseDriftProblem(drift->second.problem) == DriftProblem::kReplicationTargetStale;
    }
    return v;
  }

  internal::DrHostView DrHostViewOf(const std::string& address) const {
    internal::DrHostView v;
    v.address = address;
    v.record = StateOf(address);
    if (v.record) {
      auto drift = observed_.drift.find(v.record->address);
      if (drift != observed_.drift.end()) v.drift = ParseDriftProblem(drift->second.problem);
    }
    return v;
  }
  const json* DesiredAttributes(const std::string& address) const {
    auto it = desired_by_address_.find(address);
    return it == desired_by_address_.end() ? nullptr : &it->second->attributes;
  }

  // [group.failover]: every server's failover is planned at the one point of the group (group_point.h); a group
  // that has none is refused as a whole, and its servers' failovers are not planned.
  void ResolveGroupPoint(const specs::GroupSpec& g) {
    if (!g.failover) return;
    std::vector<GroupPointMember> members;
    std::vector<DesiredResource*> failovers;
    for (DesiredResource& d : desired_) {
      if (d.kind != ResourceKind::kDrHost || d.group != &g || !d.attributes.contains("group_point")) continue;
      const std::string server_address = ServerOf(d.address);
      const state::ResourceRecord* server = StateOf(server_address);
      GroupPointMember m;
      m.name = d.server->name;
      m.state = server ? ViewOf(server_address, server).state : "";
      const std::optional<ServerState> server_state = ParseServerState(m.state);
      m.needs_point =
          server_state != ServerState::kFailoverConfirmed && !internal::IsFailbackState(server_state);
      const state::ResourceRecord* recorded = StateOf(d.address);
      if (recorded && state::RecordStatusOf(*recorded) != state::RecordStatus::kDeleting &&
          recorded->attributes.value("group_point", "") == g.failover->recovery_point.text) {
        m.recorded_point = recorded->attributes.value("recovery_point", "");
      }
      if (auto points = observed_.recovery_points.find(server_address); points != observed_.recovery_points.end()) {
        m.points = &points->second;
      }
      members.push_back(std::move(m));
      failovers.push_back(&d);
    }
    const GroupPoint point = ChooseGroupPoint(g.name, g.failover->recovery_point, members);
    if (!point.refusal.empty()) {
      Error(g.failover->pos, GroupAddress(g.name) + ".failover", point.refusal);
      refused_group_failovers_.insert(g.name);
      return;
    }
    for (size_t i = 0; i < failovers.size(); ++i) {
      const std::string& recorded = members[i].recorded_point;
      failovers[i]->attributes["recovery_point"] = recorded.empty() ? point.point : recorded;
    }
  }

  // The server's drill and failover DR hosts; the drill first, so a drill cleared in this plan is gone before a
  // failover could be declared in a later one.
  void PlanDrHosts(const DesiredResource& d, const internal::ServerView& view) {
    const internal::DrHostView drill = DrHostViewOf(DrillAddress(d.address));
    const internal::DrHostView failover = DrHostViewOf(FailoverAddress(d.address));
    if (std::string refusal = internal::PlanDrill(view, drill, DesiredAttributes(drill.address), &out_.changes);
        !refusal.empty()) {
      Error(d.server->drill ? d.server->drill->host.pos : d.server->pos, drill.address, refusal);
    }
    if (refused_group_failovers_.count(d.group->name)) return;  // the group's refusal says why
    if (std::string refusal = internal::PlanFailover(view, failover, DesiredAttributes(failover.address), drill,
                                                     &out_.changes);
        !refusal.empty()) {
      Error(d.server->failover ? d.server->failover->host.pos : d.server->pos, failover.address, refusal);
    }
  }

  // After a (re)registration the server is initialized: replication starts from there when the spec asks.
  void PlanReplicationAfterRegister(const DesiredResource& d, const std::string& address) {
    internal::ServerView v = ViewOf(address, nullptr);
    v.state = "initialized";
    if (v.shadow && v.shadow->attributes.value("server_id", "") != d.attributes.value("host", "")) v.shadow = nullptr;
    internal::PlanReplication(v, nullptr, d.attributes, d.group->dr_zone, d.group->vpc, &out_.changes);
  }
  void Error(const specs::SourcePos& pos, const std::string& path, std::string message) {
    out_.errors.push_back({pos, path, std::move(message)});
  }

  void PlanRenames() {
    for (const auto& d : desired_) {
      auto it = view_.renamed.find(d.address);
      if (it == view_.renamed.end()) continue;
      const state::ResourceRecord* r = StateOf(d.address);
      Add({d.address,
           d.kind,
           Action::kUpdate,
           Operation::kRename,
           it->second,
           Subset(r->attributes, d.attributes),
           d.attributes,
           {},
           "renamed from " + LeafName(it->second) + " in the spec"});
      renamed_done_.insert(d.address);
    }
    // A server's rename moves its record and what is under it (shadow host, DR hosts); only the name changes.
    for (const auto& [to, from] : view_.renamed_servers) {
      const state::ResourceRecord* r = StateOf(to);
      const json* desired = DesiredAttributes(to);
      Add({to,
           ResourceKind::kServer,
           Action::kUpdate,
           Operation::kRename,
           from,
           {{"name", r->attributes.value("name", LeafName(from))}},
           {{"name", (*desired)["name"]}},
           {},
           "renamed from " + LeafName(from) + " in the spec"});
      renamed_done_.insert(to);
    }
  }

  void PlanServerDeregistrations() {
    for (const auto& [address, r] : view_.by_address) {
      if (r->kind != ResourceKind::kServer || desired_by_address_.count(address)) continue;
      if (!desired_groups_.count(GroupOf(address))) continue;  // the group removal plans these
      PlanServerLeaving(address, *r);
    }
  }

  // A server gone from the spec (alone or with its group) is deregistered. Returns false when refused.
  bool PlanServerLeaving(const std::string& address, const state::ResourceRecord& r) {
    const internal::ServerView view = ViewOf(address, &r);
    if (!CanDeregister(view.state) && !IsInterruptedCdrStep(r.status)) {
      Error({}, address,
            "cannot deregister while the server is " + view.state + ": deregistering is allowed only from a stable "
            "or error state; wait until the current step finishes, then plan again");
      return false;
    }
    const internal::DrHostView failover = DrHostViewOf(FailoverAddress(address));
    const bool released = failover.record || internal::IsFailoverState(view.Parsed());
    if (released) {
      if (std::string refusal = internal::PlanRelease(view, failover, &out_.changes); !refusal.empty()) {
        Error({}, address, refusal);
        return false;
      }
    }
    if (const auto* drill = StateOf(DrillAddress(address))) {
      Add(MakeChange(drill->address, ResourceKind::kDrHost, Action::kDelete, Operation::kDelete,
                     drill->attributes, nullptr, "the server leaves protection: its drill is cleared first"));
    }
    if (std::string refusal = internal::PlanTeardown(view, r.attributes, &out_.changes); !refusal.empty()) {
      Error({}, address, refusal);
      return false;
    }
    Add(MakeChange(
        address, ResourceKind::kServer, Action::kDelete, Operation::kDeregister, r.attributes, nullptr,
        released
            ? "removed from the spec after a confirmed failover (release): the agent is uninstalled from " +
                  r.attributes.value("host", "") + ", which stays (no longer protected nor fenced by cdr)"
            : "removed from the spec: the agent is uninstalled, the host itself stays"));
    return true;
  }

  void PlanDesired(const DesiredResource& d) {
    if (d.kind == ResourceKind::kDrHost)
      return;  // planned with its server (PlanDrHosts), which the guards need
    const state::ResourceRecord* r = StateOf(d.address);
    // A registered server whose host vanished gets the drift's own message (PlanExistingServer), not a second one.
    const DriftedResource* drift = r ? DriftOf(*r) : nullptr;
    if (d.kind == ResourceKind::kServer &&
        !(drift && ParseDriftProblem(drift->problem) == DriftProblem::kHostGone)) {
      CheckHostFacts(*d.group, *d.server, observed_.hosts, &out_.errors);
    }
    if (!r && d.kind == ResourceKind::kServer && d.server->failback) {
      PlanServerFailback(d, nullptr, ViewOf(d.address, nullptr));
      return;
    }
    if (!r && d.kind == ResourceKind::kServer && !CheckNewServerVersion(d)) return;
    if (!r) {
      const bool server = d.kind == ResourceKind::kServer;
      Add(MakeChange(
          d.address, d.kind, Action::kCreate, server ? Operation::kRegister : Operation::kCreate, nullptr,
          d.attributes,
          server ? "new in the spec: install the agent, then the server is initialized" : "new in the spec"));
      if (server) PlanReplicationAfterRegister(d, d.address);
      if (server) PlanDrHosts(d, ViewOf(d.address, nullptr));
      return;
    }
    if (d.kind == ResourceKind::kServer) {
      const internal::ServerView view = ViewOf(d.address, r);
      // A failback's own transitions replace the forward plan.
      if (d.server->failback || internal::IsFailbackState(view.Parsed())) {
        PlanServerFailback(d, r, view);
      } else {
        PlanExistingServer(d, *r);
      }
      // From reverse registration on, the DR host is the failback's to serve, stop and delete.
      if (!internal::IsFailbackState(view.Parsed())) PlanDrHosts(d, view);
      if (d.server->failover) internal::PlanFenceRetry(view, r->attributes, &out_.changes);
    } else {
      PlanExistingResource(d, *r);
    }
  }

  // [group.server.failback], or a failback under way: its own transitions replace the forward plan.
  void PlanServerFailback(const DesiredResource& d, const state::ResourceRecord* r, const internal::ServerView& view) {
    const json before = r ? Subset(r->attributes, d.attributes) : json(nullptr);
    internal::FailbackIntent intent;
    intent.declared = d.server->failback.has_value();
    intent.restore_to_original = !d.server->failback || d.server->failback->restore_to_original;
    intent.cutover = !d.server->failback || d.server->failback->cutover;
    intent.failover_declared = d.server->failover.has_value();
    intent.group_tables = (d.server->failback && d.server->failback->from_group) ||
                          (d.server->failover && d.server->failover->from_group);
    if (d.server->failback) {
      intent.new_host = d.server->failback->name;
      intent.new_host_flavor = d.server->failback->flavor;
      intent.new_host_ip = d.server->failback->ip;
    }
    if (r) {
      intent.launched_host = r->attributes.value("failback_host", "");
      intent.state_host = r->attributes.value("host", "");
    }
    intent.production_zone = d.group->production_zone;
    intent.dr_zone = d.group->dr_zone;
    intent.vpc = d.group->vpc;
    const std::string refusal = internal::PlanFailback(view, DrHostViewOf(FailoverAddress(d.address)), intent, before,
                                                       d.attributes, &out_.changes);
    if (refusal.empty()) return;
    Error(d.server->failback ? d.server->failback->pos : d.server->pos, d.address + ".failback", refusal);
  }

  void PlanExistingResource(const DesiredResource& d, const state::ResourceRecord& r) {
    const json before = Subset(r.attributes, d.attributes);
    const std::optional<state::RecordStatus> status = state::RecordStatusOf(r);
    if (status == state::RecordStatus::kCreating) {
      Add(MakeChange(d.address, d.kind, Action::kCreate, Operation::kCreate, before, d.attributes,
                     "resuming an interrupted create (same client token)"));
      return;
    }
    if (status == state::RecordStatus::kDeleting) {
      Add(MakeChange(d.address, d.kind, Action::kReplace, Operation::kReplace, before, d.attributes,
                     "an earlier delete was interrupted: finish it, then create"));
      return;
    }
    if (const DriftedResource* drift = DriftOf(r);
        drift && ParseDriftProblem(drift->problem) == DriftProblem::kDeleted) {
      Add(MakeChange(d.address, d.kind, Action::kCreate, Operation::kCreate, nullptr, d.attributes,
                     drift->detail));
      return;
    }
    auto changed = ChangedKeys(before, d.attributes);
    std::vector<std::string> forcing;
    for (const auto& k : changed) {
      for (const auto& rk : d.replace_keys) {
        if (k == rk) forcing.push_back(k);
      }
    }
    if (renamed_done_.count(d.address)) {
      // The rename change already carries the in-place updates; a replacement cannot ride along with it.
      if (!forcing.empty()) {
        Error(d.group->pos, d.address,
              "changing " + forcing.front() + " replaces the group, which cannot be combined with a rename" +
                  (GroupHasServersInState(d.address) ? " and needs its protected servers deregistered first"
                                                     : "; rename in one apply, then change " + forcing.front()));
      }
      return;
    }
    if (changed.empty()) return;
    if (forcing.empty()) {
      Add(MakeChange(d.address, d.kind, Action::kUpdate, Operation::kUpdate, before, d.attributes,
                     "changed in the spec"));
      return;
    }
    if (d.kind == ResourceKind::kGroup && GroupHasServersInState(d.address)) {
      Error(d.group->pos, d.address,
            "changing " + forcing.front() + " replaces the group, which still has protected servers; "
            "deregister them first");
      return;
    }
    Add({d.address, d.kind, Action::kReplace, Operation::kReplace, "", before, d.attributes, forcing,
         "changing " + forcing.front() + " cannot be done in place"});
  }

  void PlanExistingServer(const DesiredResource& d, const state::ResourceRecord& r) {
    const internal::ServerView view = ViewOf(d.address, &r);
    json after = WithUnsetAgentSettings(d.attributes, r.attributes);
    json before = Subset(r.attributes, after);
    if (renamed_done_.count(d.address)) before["name"] = d.attributes["name"];  // the rename carries it
    // While failed over the production agent is fenced or gone: its settings wait for the failback.
    if (!internal::IsFailoverState(view.Parsed())) SeeAgentSettings(view, &before);
    const DriftedResource* drift = DriftOf(r);
    if (drift && ParseDriftProblem(drift->problem) == DriftProblem::kHostGone) {
      Error(d.server->host_pos, d.address + ".host", drift->detail);
      return;
    }
    auto changed = ChangedKeys(before, after);
    const bool host_changed = before.value("host", "") != d.attributes["host"];
    if (host_changed) {
      if (!CanDeregister(view.state) && !IsInterruptedCdrStep(r.status)) {
        Error(d.server->host_pos, d.address + ".host",
              "changing the host needs a deregister, which is not allowed while the server is " + view.state);
        return;
      }
      if (std::string refusal = internal::PlanTeardown(view, before, &out_.changes); !refusal.empty()) {
        Error(d.server->host_pos, d.address + ".host", refusal);
        return;
      }
      Add({d.address,
           ResourceKind::kServer,
           Action::kReplace,
           Operation::kReregister,
           "",
           before,
           d.attributes,
           {"host"},
           "the host changed: deregister from the old host, register the new one"});
      PlanReplicationAfterRegister(d, d.address);
      return;
    }
    std::string reason;
    if (IsInterruptedCdrStep(r.status)) {
      reason = "resuming an interrupted " + r.status.substr(0, r.status.size() - 3);
    } else if (ParseServerState(r.status) == ServerState::kAgentInstallFailed) {
      reason = "the agent install failed before (" + r.attributes.value("last_error", std::string("unknown")) +
               "); trying again";
    } else if (drift && ParseDriftProblem(drift->problem) == DriftProblem::kAgentMissing) {
      reason = drift->detail;
    }
    if (!reason.empty()) {
      Add(MakeChange(d.address, ResourceKind::kServer, Action::kTransition, Operation::kRegister, before,
                     after, reason));
      PlanReplicationAfterRegister(d, d.address);
      return;
    }
    const size_t planned = out_.changes.size();
    if (!PlanUpgrade(d, r, view, before, after)) return;
    if (internal::IsFailoverState(view.Parsed())) {
      if (!d.server->failover) {
        const std::string refusal = internal::PlanRollback(view, DrHostViewOf(FailoverAddress(d.address)), before,
                                                           after, d.group->dr_zone, d.group->vpc, &out_.changes);
        if (!refusal.empty()) Error(d.server->pos, FailoverAddress(d.address), refusal);
        return;
      }
      // The DR host carries the service now: replication from production stays as the failover left it.
      if (!changed.empty()) {
        Add(MakeChange(d.address, ResourceKind::kServer, Action::kUpdate, Operation::kUpdate, before, after,
                       "changed in the spec"));
      }
      return;
    }
    const std::string refusal =
        internal::PlanReplication(view, before, after, d.group->dr_zone, d.group->vpc, &out_.changes);
    if (!refusal.empty()) {
      Error(d.server->pos, d.address + ".replication", refusal);
      return;
    }
    if (out_.changes.size() == planned && !changed.empty()) {  // else the transitions carry the changed settings
      Add(MakeChange(d.address, ResourceKind::kServer, Action::kUpdate, Operation::kUpdate, before, after,
                     UpdateReason(changed, drift)));
    }
    internal::PlanRecoveryPolicy(view, after, &out_.changes);
  }

  internal::UpgradeIntent UpgradeIntentOf(const DesiredResource& d) const {
    return {d.server->agent_version, observed_.agent_versions ? &*observed_.agent_versions : nullptr};
  }

  // Returns false when nothing else may be planned for the server: the upgrade was refused, or one is under way
  // or failed (its agent must not be restarted as the release that failed).
  bool PlanUpgrade(const DesiredResource& d, const state::ResourceRecord& r, const internal::ServerView& view,
                   const json& before, const json& after) {
    const std::string refusal =
        internal::PlanAgentUpgrade(view, r.attributes, before, after, UpgradeIntentOf(d), &out_.changes);
    if (!refusal.empty()) {
      Error(d.server->agent_version ? d.server->agent_version_pos : d.server->pos, d.address + ".agent_version",
            refusal);
      return false;
    }
    return !IsAgentUpgradeState(view.state);
  }

  // A new server installs the spec's release: one the cloud offers.
  bool CheckNewServerVersion(const DesiredResource& d) {
    const auto& want = d.server->agent_version;
    const auto& offered = observed_.agent_versions;
    if (!want || !offered) return true;
    if (std::find(offered->offered.begin(), offered->offered.end(), *want) != offered->offered.end()) return true;
    std::string versions;
    for (const auto& v : offered->offered) versions += (versions.empty() ? "" : ", ") + v;
    Error(d.server->agent_version_pos, d.address + ".agent_version",
          "agent_version \"" + *want + "\" is not offered by the provider (it offers " + versions + ")");
    return false;
  }

  bool GroupHasServersInState(const std::string& group_address) const {
    for (const auto& [address, r] : view_.by_address) {
      if (r->kind == ResourceKind::kServer && address.rfind(group_address + ".", 0) == 0) return true;
    }
    return false;
  }

  void PlanGroupRemovals() {
    std::set<std::string> removed;
    for (const auto& [address, r] : view_.by_address) {
      if (r->kind == ResourceKind::kGroup && !desired_by_address_.count(address)) removed.insert(address);
    }
    for (const auto& group_address : removed) {
      // A group that still protects servers is not deleted (docs/state-machine.md), but servers whose
      // failover is confirmed are protected no more: they are released with the group, in the same apply.
      std::vector<std::pair<std::string, const state::ResourceRecord*>> released;
      std::string protected_names;
      int protected_count = 0;
      for (const auto& [address, r] : view_.by_address) {
        if (r->kind != ResourceKind::kServer || address.rfind(group_address + ".", 0) != 0) continue;
        const internal::ServerView server = ViewOf(address, r);
        const std::string& state = server.state;
        if (server.Parsed() == ServerState::kFailoverConfirmed) {
          released.emplace_back(address, r);
          continue;
        }
        protected_names += (protected_names.empty() ? "" : ", ") + LeafName(address) + ": " + state;
        ++protected_count;
      }
      if (protected_count > 0) {
        Error({}, group_address,
              "cannot delete protection group " + LeafName(group_address) + ": it still has " +
                  std::to_string(protected_count) + " protected server(s) (" + protected_names +
                  "); deregister them first (remove their [[group.server]] tables and apply), then remove the "
                  "group. Servers whose failover is confirmed (failover_confirmed) are released with the group");
        continue;
      }
      bool all_leave = true;
      for (const auto& [address, r] : released) all_leave = PlanServerLeaving(address, *r) && all_leave;
      if (!all_leave) continue;
      for (const char* child : {".endpoint", ".peering"}) {
        if (const auto* r = StateOf(group_address + child)) {
          Add(MakeChange(r->address, r->kind, Action::kDelete, Operation::kDelete, r->attributes, nullptr,
                         "its group is removed from the spec"));
        }
      }
      const auto* g = StateOf(group_address);
      Add(MakeChange(group_address, ResourceKind::kGroup, Action::kDelete, Operation::kDelete, g->attributes,
                     nullptr, "removed from the spec"));
    }
  }

  const specs::Spec& spec_;
  std::vector<DesiredResource> desired_;
  StateView view_;
  const Observed& observed_;
  std::map<std::string, const DesiredResource*> desired_by_address_;
  std::set<std::string> desired_groups_;
  std::set<std::string> renamed_done_;
  std::set<std::string> refused_group_failovers_;  // group names
  DiffResult out_;
};

}  // namespace

DiffResult Diff(const specs::Spec& spec, const std::vector<state::ResourceRecord>& records,
                const Observed& observed) {
  return Differ(spec, records, observed).Run();
}

}  // namespace cdr::reconcile
