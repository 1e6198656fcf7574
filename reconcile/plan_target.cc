#include "reconcile/plan_target.h"

#include <algorithm>

#include "reconcile/address.h"

namespace cdr::reconcile {
namespace {

// A group's own resources that its servers need to exist before they are registered.
bool IsGroupPrerequisite(const ResourceChange& c) {
  const std::string group = GroupOf(c.address);
  if (group.empty() || c.action != Action::kCreate) return false;
  return c.address == GroupAddress(group) || c.address == PeeringAddress(group) ||
         c.address == EndpointAddress(group);
}

}  // namespace

Status CheckTargets(const std::vector<std::string>& targets) {
  for (const auto& t : targets) {
    if (GroupOf(t).empty() || t.back() == '.' || t.find("..") != std::string::npos) {
      return InvalidArgument("-target=" + t +
                             " is not a resource address: write group.NAME, group.NAME.server.SERVER, … (`cdr state "
                             "list` lists the addresses)");
    }
  }
  return Status();
}

void NarrowToTargets(const std::vector<std::string>& targets, Plan* plan) {
  if (targets.empty()) return;
  plan->targets = targets;
  auto targeted = [&](const std::string& address) {
    return std::any_of(targets.begin(), targets.end(), [&](const std::string& t) { return AddressCovers(t, address); });
  };
  // Groups with a targeted change: their prerequisites are planned too.
  std::vector<std::string> groups;
  for (const auto& c : plan->changes)
    if (targeted(c.address) || targeted(c.previous_address)) groups.push_back(GroupOf(c.address));
  std::vector<ResourceChange> kept;
  for (auto& c : plan->changes) {
    const bool needed =
        IsGroupPrerequisite(c) && std::find(groups.begin(), groups.end(), GroupOf(c.address)) != groups.end();
    if (targeted(c.address) || targeted(c.previous_address) || needed) kept.push_back(std::move(c));
  }
  plan->changes = std::move(kept);
}

}  // namespace cdr::reconcile
