// The spec expanded into the resources it asks for, each with the attributes the state will hold.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reconcile/resource_kind.h"
#include "specs/spec.h"

namespace cdr::reconcile {

struct DesiredResource {
  std::string address;
  ResourceKind kind = ResourceKind::kGroup;  // group, peering, endpoint, server, dr_host (drill, failover)
  nlohmann::json attributes;
  // Keys whose change cannot be made in place (the resource is replaced).
  std::vector<std::string> replace_keys;
  // A group's or server's previous address when the spec renames it (a server's under its group's new name).
  std::string renamed_from_address;
  const specs::GroupSpec* group = nullptr;
  const specs::ServerSpec* server = nullptr;  // set for kinds server and dr_host
};

// In dependency order: per group the group, its peering, its endpoint, then its servers, each followed by its
// drill and failover DR hosts.
// Pointers refer into `spec`, which must outlive the result.
std::vector<DesiredResource> ExpandSpec(const specs::Spec& spec);

}  // namespace cdr::reconcile
