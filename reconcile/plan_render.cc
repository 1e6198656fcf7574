#include "reconcile/plan_render.h"

#include <fmt/format.h>

#include <algorithm>

#include "reconcile/address.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;

const char* Color(Action a) {
  switch (a) {
    case Action::kCreate: return "\033[32m";
    case Action::kUpdate: return "\033[33m";
    case Action::kDelete: return "\033[31m";
    case Action::kReplace: return "\033[35m";
    case Action::kTransition: return "\033[36m";
    default: return "";
  }
}

// The receiver a server's start_replication streams to: the shadow host this plan creates, else the one in the
// state. Null when neither has one.
const json* ShadowOf(const Plan& plan, const std::string& server_address) {
  const std::string address = ShadowHostAddress(server_address);
  for (const auto& c : plan.changes) {
    if (c.address == address && c.action == Action::kCreate && c.after.is_object()) return &c.after;
  }
  for (const auto& p : plan.prior) {
    if (p.address == address && p.values.is_object()) return &p.values;
  }
  return nullptr;
}

// Its replicas hold the data already (a failback's): the start compares by block hashes instead of copying.
bool SeededReceiver(const json* shadow) {
  if (!shadow) return false;
  return shadow->value("compare_first", true) && (!shadow->value("replicas_are_disks_of", "").empty() ||
                                                  !shadow->value("seed_from_dr_host", "").empty());
}

std::string Headline(const ResourceChange& c, const Plan& plan) {
  if (c.operation == "start_replication" && SeededReceiver(ShadowOf(plan, c.address))) {
    return "will start replicating (seeded replicas: compare, send only the blocks that differ, then realtime)";
  }
  if (c.operation == "start_reverse_replication" && !SeededReceiver(ShadowOf(plan, c.address))) {
    return "will start reverse replication (DR host → the new production host: full sync, then realtime)";
  }
  if (c.operation == "rename") return "will be renamed from " + c.previous_address;
  if (c.operation == "register") {
    return c.action == Action::kCreate ? "will be registered (agent install, then initialized)"
                                       : "will be registered again";
  }
  if (c.operation == "deregister") return "will be deregistered (the host stays)";
  if (c.operation == "reregister") return "must be re-registered on another host";
  if (c.operation == "start_replication") return "will start replicating (scan, full sync, then realtime)";
  if (c.operation == "stop_replication") return "will stop replicating (the agent keeps journaling)";
  if (c.operation == "repair") return "will be repaired (only differing blocks are sent)";
  if (c.operation == "restart_agent") return "will have its agent process restarted";
  if (c.operation == "retarget_replication") return "will be pointed at its shadow host's new address";
  if (c.kind == "server" && c.operation == "fence") return "will be fenced (its disks refuse writes)";
  if (c.kind == "server" && c.operation == "rollback") return "will be rolled back (unfenced, takes writes again)";
  if (c.kind == "server" && c.operation == "reverse_register") {
    return "will be reverse registered (an agent fronts the DR host's disks)";
  }
  if (c.kind == "server" && c.operation == "launch_host") {
    return "will launch a new production host (restore_to_original = false)";
  }
  if (c.operation == "start_reverse_replication") {
    return "will start reverse replication (DR host → production: compare, send what differs, then realtime)";
  }
  if (c.operation == "stop_reverse_replication") {
    return "will stop reverse replication (the reverse agent keeps journaling)";
  }
  if (c.operation == "reverse_repair") return "will have its reverse replication repaired (only differing blocks)";
  if (c.operation == "retarget_reverse_replication") {
    return "will point reverse replication at the receiver's new address";
  }
  if (c.kind == "server" && c.operation == "failback") {
    return "will fail back (failing_back → failed_back: production takes over with the DR host's data)";
  }
  if (c.kind == "shadow_host" && c.operation == "restart") return "will be restarted (its replicas are kept)";
  if (c.kind == "shadow_host" && c.action == Action::kCreate && c.after.is_object() &&
      !c.after.value("replicas_are_disks_of", "").empty()) {
    return "will be created (the receiver of reverse replication, in the production zone)";
  }
  if (c.kind == "shadow_host" && c.action == Action::kCreate) return "will be created (the DR side of the server)";
  if (c.kind == "shadow_host" && c.action == Action::kDelete) {
    return "will be destroyed with its replicas and ALL recovery points";
  }
  if (c.kind == "shadow_host" && c.operation == "set_recovery_policy") return "will take recovery points by a new policy";
  if (c.kind == "dr_host") {
    if (c.operation == "failover") return "will be failed over to (failing_over → failed_over)";
    if (c.operation == "change_recovery_point") return "will be brought up again at another recovery point";
    if (c.operation == "confirm") return "will be confirmed (failover_confirmed; its disks become standalone)";
    if (c.operation == "restart") return "will be started again (same point, its writes kept)";
    if (c.operation == "verify") return "will be verified again";
    if (c.operation == "rollback") return "will be destroyed with everything written to it (rollback)";
    if (c.operation == "release") return "will be released (keeps running as a standalone host, outside cdr)";
    if (c.action == Action::kCreate) return "will be brought up from a recovery point";
    if (c.action == Action::kDelete && c.address.ends_with(".failover")) {
      return "will be destroyed (failed back: production carries the service)";
    }
    if (c.action == Action::kDelete) return "will be destroyed (drill cleared)";
    if (c.action == Action::kReplace) return "must be brought up again";
  }
  switch (c.action) {
    case Action::kCreate: return "will be created";
    case Action::kUpdate: return "will be updated in-place";
    case Action::kDelete: return "will be destroyed";
    case Action::kReplace: return "must be replaced";
    default: return "will change";
  }
}

size_t KeyWidth(const json& a, const json& b) {
  size_t w = 0;
  for (const json* j : {&a, &b}) {
    if (!j->is_object()) continue;
    for (const auto& [k, v] : j->items()) w = std::max(w, k.size());
  }
  return w;
}

bool Forces(const ResourceChange& c, const std::string& key) {
  return std::find(c.replace_because.begin(), c.replace_because.end(), key) != c.replace_because.end();
}

void RenderAttributes(const ResourceChange& c, std::string* out) {
  const json& before = c.before.is_object() ? c.before : json::object();
  const json& after = c.after.is_object() ? c.after : json::object();
  const size_t w = KeyWidth(before, after);
  auto line = [&](const char* sym, const std::string& key, const std::string& text) {
    *out += fmt::format("      {} {:<{}} = {}\n", sym, key, w, text);
  };
  if (c.action == Action::kCreate) {
    for (const auto& [k, v] : after.items()) line("+", k, v.dump());
  } else if (c.action == Action::kTransition) {
    // The step is the change (its reason line says why); spec settings that change ride along with it.
    for (const auto& [k, v] : after.items()) {
      if (before.contains(k) && before[k] != v) {
        line("~", k, before[k].dump() + " -> " + v.dump());
      } else {
        line(" ", k, v.dump());
      }
    }
  } else if (c.action == Action::kDelete) {
    for (const auto& [k, v] : before.items()) line("-", k, v.dump());
  } else {
    for (const auto& [k, v] : after.items()) {
      if (!before.contains(k)) {
        line("+", k, v.dump());
      } else if (before[k] != v) {
        line("~", k, before[k].dump() + " -> " + v.dump() + (Forces(c, k) ? " # forces replacement" : ""));
      }
    }
  }
}

}  // namespace

std::string RenderSummaryLine(const Plan& plan) {
  PlanSummary s = Summarize(plan);
  return fmt::format("Plan: {} to add, {} to change, {} to destroy, {} state transition{}.", s.add, s.change,
                     s.destroy, s.transition, s.transition == 1 ? "" : "s");
}

std::string RenderDrift(const Plan& plan, const RenderOptions& options) {
  if (plan.drifted.empty()) return "";
  std::string out = "Objects have changed outside of cdr:\n\n";
  for (const auto& d : plan.drifted) {
    out += fmt::format("  # {} ({}): {}\n", d.address, d.problem, d.detail);
  }
  return out + "\n";
}

std::string RenderPlan(const Plan& plan, const RenderOptions& options) {
  std::string out = RenderDrift(plan, options);
  if (plan.mode == PlanMode::kRefreshOnly) {
    if (plan.drifted.empty()) return out + "No changes. Nothing changed outside cdr since the state was recorded.\n";
    return out + "This is a refresh-only plan: `cdr apply -refresh-only` records what the agents report in the "
                 "state; nothing else is changed.\n";
  }
  if (plan.mode == PlanMode::kNoRefresh) {
    out += "Note: -refresh=false: planned from the state as recorded; nothing outside cdr was checked.\n\n";
  }
  if (!plan.targets.empty()) {
    std::string list;
    for (const auto& t : plan.targets) list += (list.empty() ? "" : ", ") + t;
    out += "Warning: resource targeting is in effect. Only " + list +
           " (and the group resources they need first) are planned; the rest of the spec is not applied. Use "
           "-target to recover from a mistake or an outage, then run a plan without it.\n\n";
  }
  if (!plan.HasChanges()) {
    return out + "No changes. The protection setup matches the spec.\n";
  }
  out += "cdr will perform the following actions:\n\n";
  for (const auto& c : plan.changes) {
    const char* on = options.color ? Color(c.action) : "";
    const char* off = options.color ? "\033[0m" : "";
    out += fmt::format("  # {} {}\n", c.address, Headline(c, plan));
    if (!c.reason.empty()) out += fmt::format("  # ({})\n", c.reason);
    out += fmt::format("  {}{}{} {}{}\n", on, ActionSymbol(c.action), off, c.kind, " \"" + c.address + "\" {");
    RenderAttributes(c, &out);
    out += "    }\n\n";
  }
  return out + RenderSummaryLine(plan) + "\n";
}

}  // namespace cdr::reconcile
