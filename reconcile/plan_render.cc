#include "reconcile/plan_render.h"

#include <fmt/format.h>

#include <algorithm>

#include "reconcile/plan_headline.h"

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
    out += fmt::format("  # {} {}\n", c.address, PlanHeadline(c, plan));
    if (!c.reason.empty()) out += fmt::format("  # ({})\n", c.reason);
    out += fmt::format("  {}{}{} {}{}\n", on, ActionSymbol(c.action), off, ResourceKindName(c.kind),
                       " \"" + c.address + "\" {");
    RenderAttributes(c, &out);
    out += "    }\n\n";
  }
  return out + RenderSummaryLine(plan) + "\n";
}

}  // namespace cdr::reconcile
