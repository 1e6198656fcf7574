#include "reconcile/group_point.h"

#include <map>

#include "providers/types/recovery_points.h"
#include "reconcile/address.h"
#include "state/record_status.h"

namespace cdr::reconcile {
namespace {

const char kWhatToDo[] =
    "a group failover needs every server realtime, realtime_stopping or realtime_stopped and holding the one "
    "point: choose a point every server has (`cdr recovery-points {G}` lists them), take one now with "
    "`cdr recovery-points {G} --take` (every server replicating), or use recovery_point = \"latest\"";

std::string WhatToDo(const std::string& group) {
  std::string text = kWhatToDo;
  for (size_t at; (at = text.find("{G}")) != std::string::npos;) text.replace(at, 3, group);
  return text;
}

std::string Who(const GroupPointMember& m) {
  return m.name + " (" + (m.state.empty() ? "not registered" : m.state) + ")";
}

std::string Newest(const GroupPointMember& m) {
  if (!m.points || m.points->points.empty()) return "it has no recovery points yet";
  return "its newest is " + m.points->points.back().id;
}

// "" when `m` can be brought up at `point`, else why not.
std::string Unreachable(const GroupPointMember& m, const specs::RecoveryPointChoice& choice,
                        const std::string& point) {
  if (!m.points) {
    return Who(m) + " has no recovery points to fail over from (it has them once replication has started and "
                    "its first full sync is done)";
  }
  if (choice.kind == specs::RecoveryPointChoice::Kind::kTime && m.recorded_point.empty() &&
      point == choice.text) {
    if (m.points->window_end_ns == 0) return Who(m) + " has no history yet (its first full sync is not done)";
    if (choice.time_ns < m.points->window_start_ns) {
      return Who(m) + " cannot restore " + point + ": its window starts later";
    }
    return "";
  }
  for (const auto& p : m.points->points) {
    if (p.id == point) return "";
  }
  return Who(m) + " has no recovery point " + point + " (" + Newest(m) + ")";
}

// The newest id every member that needs a point has, or "".
std::string NewestCommon(const std::vector<GroupPointMember>& members) {
  std::map<std::string, std::pair<int64_t, size_t>> seen;  // id → (time, members having it)
  size_t needing = 0;
  for (const auto& m : members) {
    if (!m.needs_point) continue;
    ++needing;
    if (!m.points) continue;
    for (const auto& p : m.points->points) {
      auto& [time, count] = seen[p.id];
      time = p.time_ns;
      ++count;
    }
  }
  std::string best;
  int64_t best_time = 0;
  for (const auto& [id, seen_by] : seen) {
    if (seen_by.second == needing && seen_by.first >= best_time) {
      best = id;
      best_time = seen_by.first;
    }
  }
  return best;
}

}  // namespace

void ObserveGroupPoints(providers::ResourceProvider& provider, const specs::Spec& spec,
                        const std::vector<state::ResourceRecord>& records, Observed* observed) {
  std::map<std::string, const state::ResourceRecord*> by_address;
  for (const auto& r : records) by_address[r.address] = &r;
  for (const auto& g : spec.groups) {
    if (!g.failover) continue;
    for (const auto& s : g.servers) {
      const std::string address = ServerAddress(g.name, s.name);
      auto server = by_address.find(address);
      auto shadow = by_address.find(ShadowHostAddress(address));
      if (server == by_address.end() || shadow == by_address.end()) continue;
      if (state::RecordStatusOf(*shadow->second) != state::RecordStatus::kCreated ||
          shadow->second->provider_id.empty()) {
        continue;
      }
      auto points = providers::types::ListRecoveryPoints(provider, shadow->second->provider_id,
                                                         server->second->attributes.value("host", ""));
      if (points.ok()) observed->recovery_points[address] = std::move(*points);
    }
  }
}

GroupPoint ChooseGroupPoint(const std::string& group, const specs::RecoveryPointChoice& choice,
                            const std::vector<GroupPointMember>& members) {
  GroupPoint out;
  bool any_needs = false;
  for (const auto& m : members) any_needs = any_needs || m.needs_point;
  if (!any_needs) {  // every server is past choosing (confirmed, failing back): their own plans say what is allowed
    out.point = choice.text;
    return out;
  }
  for (const auto& m : members) {
    if (m.recorded_point.empty()) continue;
    out.point = m.recorded_point;
    break;
  }
  if (out.point.empty() && choice.kind == specs::RecoveryPointChoice::Kind::kLatest) {
    out.point = NewestCommon(members);
    if (out.point.empty()) {
      std::string who;
      for (const auto& m : members) {
        if (!m.needs_point) continue;
        who += (who.empty() ? "" : "; ") + Who(m) + ": " +
               (m.points ? std::to_string(m.points->points.size()) + " point(s), " + Newest(m)
                         : std::string("no recovery points"));
      }
      out.refusal = "group failover of " + group + " is refused before anything moves: no recovery point is "
                    "common to every server (" + who + "); " + WhatToDo(group);
      return out;
    }
  }
  if (out.point.empty()) out.point = choice.text;
  std::string problems;
  for (const auto& m : members) {
    if (!m.needs_point || m.recorded_point == out.point) continue;
    if (std::string why = Unreachable(m, choice, out.point); !why.empty()) {
      problems += (problems.empty() ? "" : "; ") + why;
    }
  }
  if (!problems.empty()) {
    out.refusal = "group failover of " + group + " at " + out.point + " is refused before anything moves: " +
                  problems + "; " + WhatToDo(group);
  }
  return out;
}

}  // namespace cdr::reconcile
