// `cdr recovery-points GROUP/SERVER | GROUP [--take]`: what a drill or failover can be brought up at — the
// recovery points the shadow hosts keep (scheduled by the spec's policy, or taken on demand) and the window in
// which any point in time, down to a single write, can be restored. For a GROUP: the points every one of its
// servers has, i.e. the group-consistent ones. `--take` asks every shadow host named for a point at one instant
// (now), with one id, and waits until all have it. Asked of the provider live; the state says which hosts to ask.
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "cmd/commands.h"
#include "common/clock.h"
#include "common/human_bytes.h"
#include "providers/types/recovery_points.h"
#include "reconcile/address.h"
#include "reconcile/observed_state.h"
#include "reconcile/open_provider.h"
#include "reconcile/refresh.h"
#include "reconcile/server_state.h"

namespace cdr::cmd {
namespace {

std::string UtcTime(int64_t ns, bool compact = false) {
  if (ns <= 0) return "-";
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, compact ? "%Y%m%dT%H%M%S" : "%Y-%m-%dT%H:%M:%S", &tm);
  return compact ? std::string(buf) : fmt::format("{}.{:03}Z", buf, (ns / 1'000'000) % 1000);
}

struct Member {
  std::string address;  // the server's
  std::string host;
  std::string shadow_host_id;
  nlohmann::json policy;
  providers::RecoveryPoints points;
  int64_t current_at_ns = 0;  // when the agent said nothing was unsent (0: it did not, or was not asked)
};

Result<std::vector<Member>> MembersOf(state::StateStore& store, const std::string& group, const std::string& server) {
  std::vector<Member> members;
  for (const auto& r : store.Resources()) {
    if (r.kind != state::ResourceKind::kServer || reconcile::GroupOf(r.address) != group) continue;
    if (!server.empty() && reconcile::LeafName(r.address) != server) continue;
    auto shadow = store.Get(reconcile::ShadowHostAddress(r.address));
    if (!shadow || shadow->provider_id.empty()) {
      return FailedPrecondition(r.address + " has no shadow host (" + r.status +
                                "): recovery points exist once replication has started; after a confirmed failover "
                                "they are gone");
    }
    members.push_back({r.address, r.attributes.value("host", ""), shadow->provider_id,
                       shadow->attributes.value("recovery_points", nlohmann::json::object()), {}});
  }
  if (members.empty()) {
    return NotFound(server.empty() ? "group " + group + " has no protected servers in the state"
                                   : group + "/" + server + " is not a protected server in the state");
  }
  return members;
}

// The shadow's window ends at its newest write. If the agent says right now that nothing is unsent, the replica
// equals the primary now, and any time up to now restores the newest write's content: the window ends now.
// Otherwise it ends at the newest write the shadow has (what may follow it is not on the DR side).
void ExtendWindowsToNow(providers::ResourceProvider& provider,
                        const std::vector<state::ResourceRecord>& records, std::vector<Member>* members) {
  std::vector<state::ResourceRecord> servers;
  for (const auto& r : records) {
    for (const Member& m : *members) {
      if (r.address == m.address) servers.push_back(r);
    }
  }
  const int64_t asked_ns = NowUnixNanos();
  auto observed = reconcile::Refresh(provider, servers, {}, reconcile::HttpAgentConnector());
  if (!observed.ok()) return;
  for (Member& m : *members) {
    auto seen = observed->servers.find(m.address);
    if (seen == observed->servers.end() || !seen->second.status) continue;
    const agent::AgentStatus& live = *seen->second.status;
    bool current =
        reconcile::ParseServerState(live.state) == reconcile::ServerState::kRealtime && live.lag_seconds == 0;
    for (const auto& d : live.disks) current = current && d.link_up && d.acked_seq == d.journal_seq;
    m.current_at_ns = current ? asked_ns : 0;
  }
}

Status ListAll(providers::ResourceProvider& provider, std::vector<Member>* members) {
  for (Member& m : *members) {
    auto points = providers::types::ListRecoveryPoints(provider, m.shadow_host_id, m.host);
    if (!points.ok()) return Status(points.status().code(), m.address + ": " + points.status().message());
    m.points = std::move(*points);
    if (m.current_at_ns > m.points.window_end_ns && m.points.window_end_ns > 0) m.points.window_end_ns = m.current_at_ns;
  }
  return Status::Ok();
}

bool HasPoint(const Member& m, const std::string& id) {
  for (const auto& p : m.points.points) {
    if (p.id == id) return true;
  }
  return false;
}

// Asks every member for a point at one instant and waits until each has it, or one refused it.
Status Take(providers::ResourceProvider& provider, std::vector<Member>* members, int wait_seconds,
            std::string* id) {
  const int64_t now_ns = NowUnixNanos();
  *id = fmt::format("rp-{}Z-g{:03}", UtcTime(now_ns, true), (now_ns / 1'000'000) % 1000);
  for (const Member& m : *members) {
    CDR_RETURN_IF_ERROR(
        providers::types::RequestRecoveryPoint(provider, {m.shadow_host_id, m.host, *id, now_ns}));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  while (true) {
    CDR_RETURN_IF_ERROR(ListAll(provider, members));
    size_t done = 0;
    for (const Member& m : *members) {
      if (auto refused = m.points.refused.find(*id); refused != m.points.refused.end()) {
        return FailedPrecondition(m.address + " could not take " + *id + ": " + refused->second);
      }
      done += HasPoint(m, *id) ? 1 : 0;
    }
    if (done == members->size()) return Status::Ok();
    if (std::chrono::steady_clock::now() > deadline) {
      return Unavailable(fmt::format("{} of {} shadow hosts have {} after {} s; a server whose replication is "
                                     "stopped or behind cannot take a point past its last write",
                                     done, members->size(), *id, wait_seconds));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void PrintPoints(const std::vector<providers::RecoveryPoint>& points) {
  if (points.empty()) {
    std::cout << "  (none yet)\n";
    return;
  }
  std::cout << fmt::format("  {:<26} {:<25} {:<10} {:>10}\n", "ID", "TIME (UTC)", "KIND", "SIZE");
  for (const auto& p : points) {
    std::cout << fmt::format("  {:<26} {:<25} {:<10} {:>10}\n", p.id, UtcTime(p.time_ns), p.kind, HumanBytes(p.bytes));
  }
}

nlohmann::json PointsJson(const std::vector<providers::RecoveryPoint>& points) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : points) {
    list.push_back({{"id", p.id}, {"time", UtcTime(p.time_ns)}, {"time_ns", p.time_ns}, {"kind", p.kind},
                    {"bytes", p.bytes}});
  }
  return list;
}

nlohmann::json WindowJson(int64_t start, int64_t end) {
  return {{"start", UtcTime(start)}, {"end", UtcTime(end)}, {"start_ns", start}, {"end_ns", end}};
}

}  // namespace

int RunRecoveryPoints(const GlobalOptions& g, const RecoveryPointsOptions& o) {
  const auto slash = o.target.find('/');
  const std::string group = o.target.substr(0, slash);
  const std::string server = slash == std::string::npos ? "" : o.target.substr(slash + 1);
  if (group.empty() || (slash != std::string::npos && server.empty())) {
    std::cerr << "Error: give GROUP/SERVER (e.g. web-prod/web-1) or GROUP, not \"" << o.target << "\"\n";
    return kExitError;
  }
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto members = MembersOf(*store, group, server);
  if (!members.ok()) {
    std::cerr << "Error: " << members.status().message() << "\n";
    return kExitError;
  }
  std::optional<LoadedSpec> loaded = LoadSpecOrReport(g);  // the working tree's, or the commit's with --git
  if (!loaded) {
    std::cerr << "Error: the spec does not load, so the provider is unknown\n";
    return kExitError;
  }
  auto provider = reconcile::OpenProvider(loaded->spec.provider);
  if (!provider.ok()) {
    std::cerr << "Error: provider: " << provider.status().message() << "\n";
    return kExitError;
  }
  ExtendWindowsToNow(**provider, store->Resources(), &*members);
  std::string taken;
  Status status = o.take ? Take(**provider, &*members, o.wait_seconds, &taken) : ListAll(**provider, &*members);
  if (!status.ok()) {
    std::cerr << "Error: " << status.ToString() << "\n";
    return kExitError;
  }
  if (!taken.empty() && !o.json) {
    std::cout << "Took recovery point " << taken << " on " << members->size() << " server(s); use it as "
              << "recovery_point = \"" << taken
              << "\" in a drill or failover table, or in [group.failover] to move the whole group to it.\n";
  }

  if (!server.empty()) {
    const Member& m = members->front();
    if (o.json) {
      std::cout << nlohmann::json{{"server", m.address},
                                  {"shadow_host_id", m.shadow_host_id},
                                  {"policy", m.policy},
                                  {"taken", taken},
                                  {"points", PointsJson(m.points.points)},
                                  {"window", WindowJson(m.points.window_start_ns, m.points.window_end_ns)},
                                  {"window_ends_now", m.current_at_ns > 0},
                                  {"history_bytes", m.points.history_bytes}}
                       .dump(2)
                << "\n";
      return kExitOk;
    }
    std::cout << fmt::format("Recovery points of {} (shadow host {}, a point every {} s, keep {}):\n", o.target,
                             m.shadow_host_id, m.policy.value("every_seconds", 0), m.policy.value("keep", 0));
    PrintPoints(m.points.points);
    if (m.points.window_end_ns > 0) {
      std::cout << fmt::format("Any point in time from {} to {} can be restored (recovery_point = an RFC 3339 time).\n",
                               UtcTime(m.points.window_start_ns), UtcTime(m.points.window_end_ns));
      std::cout << (m.current_at_ns > 0 ? "The window ends now: the agent has nothing unsent (observed live).\n"
                                        : "The window ends at the newest write the shadow host has: the agent did "
                                          "not confirm that nothing newer is unsent.\n");
    } else {
      std::cout << "No history yet: the first full sync has not finished.\n";
    }
    std::cout << fmt::format("History on the shadow host: {}.\n", HumanBytes(m.points.history_bytes));
    return kExitOk;
  }

  // The group: points whose id every server has (scheduled ones share ids on a common schedule; --take makes them).
  // A group point's size is what every server's history keeps for it.
  std::vector<providers::RecoveryPoint> common;
  for (const auto& p : members->front().points.points) {
    bool everywhere = true;
    for (const Member& m : *members) everywhere = everywhere && HasPoint(m, p.id);
    if (!everywhere) continue;
    providers::RecoveryPoint group_point = p;
    group_point.bytes = 0;
    for (const Member& m : *members) {
      for (const auto& q : m.points.points) {
        if (q.id == p.id) group_point.bytes += q.bytes;
      }
    }
    common.push_back(std::move(group_point));
  }
  int64_t start = 0, end = 0;
  bool first = true;
  for (const Member& m : *members) {
    start = first ? m.points.window_start_ns : std::max(start, m.points.window_start_ns);
    end = first ? m.points.window_end_ns : std::min(end, m.points.window_end_ns);
    first = false;
  }
  if (o.json) {
    nlohmann::json servers = nlohmann::json::array();
    for (const Member& m : *members) {
      servers.push_back({{"server", m.address}, {"points", m.points.points.size()},
                         {"window", WindowJson(m.points.window_start_ns, m.points.window_end_ns)}});
    }
    std::cout << nlohmann::json{{"group", group},
                                {"taken", taken},
                                {"points", PointsJson(common)},
                                {"window", WindowJson(start, end)},
                                {"servers", servers}}
                     .dump(2)
              << "\n";
    return kExitOk;
  }
  std::cout << fmt::format("Recovery points every server of group {} has ({} servers):\n", group, members->size());
  PrintPoints(common);
  if (end > start) {
    std::cout << fmt::format("Every server can be restored to any time from {} to {}.\n", UtcTime(start),
                             UtcTime(end));
  }
  return kExitOk;
}

}  // namespace cdr::cmd
