#include "reconcile/apply_order.h"

#include <algorithm>
#include <string>

#include "reconcile/address.h"
#include "reconcile/resource_kind.h"

namespace cdr::reconcile {
namespace {

// What one change touches (apply_order.h). Small sorted vectors: a change touches one or two of each.
struct Footprint {
  std::vector<std::string> whole_groups;  // group-level changes: everything of these groups
  std::vector<std::string> groups;        // the groups its servers are in
  std::vector<std::string> servers;       // server addresses
  std::vector<std::string> hosts;         // host ids of servers
};

void AddUnique(std::vector<std::string>& to, const std::string& value) {
  if (!value.empty() && std::find(to.begin(), to.end(), value) == to.end()) to.push_back(value);
}

void AddHostOf(const nlohmann::json& attributes, Footprint& f) {
  if (!attributes.is_object()) return;
  auto host = attributes.find("host");
  if (host != attributes.end() && host->is_string()) AddUnique(f.hosts, host->get<std::string>());
}

Footprint FootprintOf(const ResourceChange& c) {
  Footprint f;
  for (const std::string* address : {&c.address, &c.previous_address}) {
    if (address->empty()) continue;
    const std::string server = ServerOf(*address);
    if (server.empty()) {
      AddUnique(f.whole_groups, GroupOf(*address));
    } else {
      AddUnique(f.servers, server);
      AddUnique(f.groups, GroupOf(*address));
    }
  }
  if (!f.servers.empty() && c.kind == ResourceKind::kServer) {
    AddHostOf(c.before, f);
    AddHostOf(c.after, f);
  }
  return f;
}

bool Overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

bool Conflict(const Footprint& a, const Footprint& b) {
  return Overlap(a.whole_groups, b.whole_groups) || Overlap(a.whole_groups, b.groups) ||
         Overlap(a.groups, b.whole_groups) || Overlap(a.servers, b.servers) || Overlap(a.hosts, b.hosts);
}

}  // namespace

std::vector<std::vector<size_t>> StepDependencies(const std::vector<ResourceChange>& changes) {
  std::vector<Footprint> footprints;
  footprints.reserve(changes.size());
  for (const auto& c : changes) footprints.push_back(FootprintOf(c));
  std::vector<std::vector<size_t>> deps(changes.size());
  for (size_t i = 0; i < changes.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (Conflict(footprints[i], footprints[j])) deps[i].push_back(j);
    }
  }
  return deps;
}

}  // namespace cdr::reconcile
