// `cdr verify [ADDRESS…]`: an online verify on demand (docs/agent.md, "Online verify"). Every server named
// (all by default) whose agent replicates in realtime compares its disks with their replicas now; the command
// waits for the rounds and prints what each disk found. Exit 0 when every disk is the same as its replica, 2
// when a replica differs (its repair has started), 1 when a disk could not be compared.
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "cmd/commands.h"
#include "common/human_bytes.h"
#include "providers/types/agent.h"
#include "reconcile/address.h"
#include "reconcile/agent_connector.h"
#include "reconcile/reverse_states.h"
#include "reconcile/verify_summary.h"

namespace cdr::cmd {
namespace {

struct ServerVerify {
  const state::ResourceRecord* record;
  std::unique_ptr<agent::ReplicationControl> control;
  std::string error;  // refused, or the agent could not be reached
  // Each disk's newest round before the request, by the agent's clock: a disk whose round changed since was
  // compared for this request (no comparison of cdr's clock with the agent's).
  std::map<std::string, int64_t> finished_before;
  std::vector<agent::DiskReplicationStatus> disks;
};

// Every disk's round is over: none is due any more and none runs.
bool RoundsOver(const agent::AgentStatus& status) {
  for (const auto& d : status.disks) {
    if (d.verify.running || d.verify.requested) return false;
  }
  return true;
}

std::vector<ServerVerify> Select(const std::vector<state::ResourceRecord>& records,
                                 const std::vector<std::string>& addresses, std::string* unknown) {
  std::vector<ServerVerify> out;
  for (const std::string& a : addresses) {
    bool any = false;
    for (const auto& r : records)
      any = any || (r.kind == state::ResourceKind::kServer && reconcile::AddressCovers(a, r.address));
    if (!any) *unknown = a;
  }
  for (const auto& r : records) {
    if (r.kind != state::ResourceKind::kServer) continue;
    bool named = addresses.empty();
    for (const std::string& a : addresses) named = named || reconcile::AddressCovers(a, r.address);
    if (named) out.push_back({&r});
  }
  return out;
}

void Ask(providers::ResourceProvider& provider, const state::ResourceRecord& r, uint64_t bytes,
         ServerVerify* s) {
  // During a failback the server's data is replicated by the reverse agent on its DR host.
  const std::string host = reconcile::IsReverseAgentState(r.status) ? r.attributes.value("reverse_agent", "")
                                                                    : r.attributes.value("host", "");
  auto agent = providers::types::ReadAgent(provider, host);
  if (!agent.ok()) {
    s->error = "the agent of host " + host + ": " + agent.status().message();
    return;
  }
  s->control = reconcile::HttpAgentConnector()(*agent);
  Result<agent::AgentStatus> before = s->control->GetStatus();
  if (!before.ok()) {
    s->error = "status: " + before.status().message();
    return;
  }
  for (const auto& d : before->disks) s->finished_before[d.disk] = d.verify.round_finished_ms;
  if (Status v = s->control->Verify({bytes}); !v.ok()) s->error = v.message();
}

int Report(const std::vector<ServerVerify>& servers, bool json) {
  using reconcile::VerifyOutcome;
  int exit_code = kExitOk;
  nlohmann::json out = nlohmann::json::array();
  if (!json)
    std::cout << fmt::format("{:<36} {:<6} {:<8} {:>10}  {}\n", "SERVER", "DISK", "OUTCOME", "COMPARED",
                             "DETAIL");
  for (const ServerVerify& s : servers) {
    const std::string& address = s.record->address;
    nlohmann::json disks = nlohmann::json::array();
    if (!s.error.empty()) {
      exit_code = std::max(exit_code, kExitError);
      if (!json)
        std::cout << fmt::format("{:<36} {:<6} {:<8} {:>10}  {}\n", address, "-", "refused", "-", s.error);
    }
    for (const auto& d : s.disks) {
      // A disk whose newest round is the one it had before the request was not in realtime: not compared now.
      auto before = s.finished_before.find(d.disk);
      const bool now = before == s.finished_before.end() || d.verify.round_finished_ms != before->second;
      const VerifyOutcome outcome =
          now ? reconcile::VerifyOutcomeOf(d.verify.outcome) : VerifyOutcome::kSkipped;
      const std::string name = reconcile::VerifyOutcomeName(outcome);
      const std::string detail = now ? d.verify.reason : "not in realtime (" + d.state + "): not compared";
      if (outcome == VerifyOutcome::kDiffers) exit_code = kExitChanges;
      if (outcome != VerifyOutcome::kSame && outcome != VerifyOutcome::kDiffers) {
        exit_code = std::max(exit_code, kExitError);
      }
      const uint64_t compared = now ? d.verify.round_bytes : 0;
      if (!json) {
        std::cout << fmt::format("{:<36} {:<6} {:<8} {:>10}  {}\n", address, d.disk, name,
                                 HumanBytes(compared), detail);
      }
      disks.push_back({{"disk", d.disk},
                       {"outcome", name},
                       {"round_bytes", compared},
                       {"detail", detail},
                       {"difference_offset", outcome == VerifyOutcome::kDiffers
                                                 ? nlohmann::json(d.verify.difference_offset)
                                                 : nlohmann::json()}});
    }
    out.push_back({{"address", address},
                   {"error", s.error.empty() ? nlohmann::json() : nlohmann::json(s.error)},
                   {"disks", disks}});
  }
  if (json) std::cout << nlohmann::json{{"servers", out}}.dump(2) << "\n";
  if (!json && exit_code == kExitChanges) {
    std::cout << "\nA replica differs from its disk: replication went to replication_error and repairs it "
                 "(only the "
                 "differing blocks are sent). `cdr status` shows the repair; run `cdr verify` again once "
                 "realtime.\n";
  }
  return exit_code;
}

}  // namespace

int RunVerify(const GlobalOptions& g, const VerifyOptions& o) {
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  std::optional<LoadedSpec> loaded = LoadSpecOrReport(g);
  if (!loaded) return kExitError;
  auto provider = OpenProviderOrReport(loaded->spec);
  if (!provider) return kExitError;
  const auto records = store->Resources();
  std::string unknown;
  std::vector<ServerVerify> servers = Select(records, o.addresses, &unknown);
  if (!unknown.empty()) {
    PrintError("no server in the state at or under " + unknown + " (cdr state list shows the addresses)");
    return kExitError;
  }
  if (servers.empty()) {
    PrintError("no server in the state: nothing to verify");
    return kExitError;
  }
  for (ServerVerify& s : servers) Ask(*provider, *s.record, o.bytes, &s);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.timeout_seconds);
  for (ServerVerify& s : servers) {
    while (s.error.empty()) {
      Result<agent::AgentStatus> status = s.control->GetStatus();
      if (!status.ok()) {
        s.error = "status: " + status.status().message();
      } else if (RoundsOver(*status)) {
        s.disks = status->disks;
        break;
      } else if (std::chrono::steady_clock::now() > deadline) {
        s.error =
            fmt::format("no answer within {} s (the round goes on; cdr status shows it)", o.timeout_seconds);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
    }
  }
  return Report(servers, o.json);
}

}  // namespace cdr::cmd
