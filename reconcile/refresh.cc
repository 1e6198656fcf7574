#include "reconcile/refresh.h"

#include <set>

#include "reconcile/address.h"

namespace cdr::reconcile {
namespace {

// Interrupted steps are resumed by the next apply, not reported as drift.
bool InFlight(const state::ResourceRecord& r) { return r.status == "creating" || r.status == "deleting"; }

template <typename T>
Status CheckNetworkResource(const state::ResourceRecord& r, const Result<T>& found, const char* what,
                            Observed* out) {
  if (found.ok()) return Status::Ok();
  if (found.status().code() != StatusCode::kNotFound) return found.status();
  out->drift[r.address] = {r.address, r.kind, "deleted",
                           std::string(what) + " " + r.provider_id + " of group " + GroupOf(r.address) +
                               " was deleted outside cdr; protected servers cannot reach the DR zone until it "
                               "is created again (cdr apply does that)"};
  return Status::Ok();
}

Status CheckServer(providers::Provider& provider, const state::ResourceRecord& r, Observed* out) {
  const std::string host = r.attributes.value("host", "");
  if (!out->hosts.count(host)) {
    out->drift[r.address] = {r.address, r.kind, "host_gone",
                             "host " + host + " no longer exists in the provider; remove the server from the "
                             "spec to deregister it"};
    return Status::Ok();
  }
  if (r.status == "agent_installing" || r.status == "agent_install_failed") return Status::Ok();
  auto agent = provider.DescribeAgent(host);
  if (agent.ok()) return Status::Ok();
  if (agent.status().code() != StatusCode::kNotFound) return agent.status();
  out->drift[r.address] = {r.address, r.kind, "agent_missing",
                           "the cdr agent on host " + host + " was removed outside cdr (state says " + r.status +
                               "); cdr apply installs it again"};
  return Status::Ok();
}

}  // namespace

Result<Observed> Refresh(providers::Provider& provider, const std::vector<state::ResourceRecord>& records,
                         const std::vector<std::string>& spec_hosts) {
  Observed out;
  std::set<std::string> hosts(spec_hosts.begin(), spec_hosts.end());
  for (const auto& r : records) {
    if (r.kind == "server") hosts.insert(r.attributes.value("host", ""));
  }
  for (const auto& id : hosts) {
    auto facts = provider.DescribeHost(id);
    if (facts.ok()) {
      out.hosts.emplace(id, std::move(*facts));
    } else if (facts.status().code() != StatusCode::kNotFound) {
      return facts.status();
    }
  }
  for (const auto& r : records) {
    if (InFlight(r)) continue;
    if (r.kind == "peering") {
      CDR_RETURN_IF_ERROR(CheckNetworkResource(r, provider.DescribePeering(r.provider_id), "VPC peering", &out));
    } else if (r.kind == "endpoint") {
      CDR_RETURN_IF_ERROR(
          CheckNetworkResource(r, provider.DescribeEndpoint(r.provider_id), "VPC endpoint", &out));
    } else if (r.kind == "server") {
      CDR_RETURN_IF_ERROR(CheckServer(provider, r, &out));
    }
  }
  return out;
}

}  // namespace cdr::reconcile
