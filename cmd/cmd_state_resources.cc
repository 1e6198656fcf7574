// `cdr state list | show ADDRESS | rm ADDRESS…`: what cdr's state records, resource by resource, and the escape
// hatch of forgetting a resource without touching the cloud (as `terraform state rm`).
#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "common/clock.h"
#include "state/state_integrity.h"

namespace cdr::cmd {
namespace {

// `address` itself and every resource under it ("group.web" also matches "group.web.server.w1").
bool Covers(const std::string& address, const std::string& candidate) {
  return candidate == address || candidate.rfind(address + ".", 0) == 0;
}

nlohmann::json RecordToJson(const state::ResourceRecord& r) {
  return {{"address", r.address},
          {"kind", r.kind},
          {"provider_id", r.provider_id},
          {"status", r.status},
          {"attributes", r.attributes},
          {"created_at", FormatRfc3339(r.created_at)},
          {"updated_at", FormatRfc3339(r.updated_at)}};
}

}  // namespace

int RunStateList(const GlobalOptions& g, const StateResourcesOptions& o) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  const auto records = store->Resources();
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : records)
      if (o.addresses.empty() || std::any_of(o.addresses.begin(), o.addresses.end(),
                                             [&](const std::string& a) { return Covers(a, r.address); }))
        out.push_back(RecordToJson(r));
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& r : records) {
    if (!o.addresses.empty() && std::none_of(o.addresses.begin(), o.addresses.end(),
                                             [&](const std::string& a) { return Covers(a, r.address); }))
      continue;
    std::cout << fmt::format("{:<48} {:<12} {}\n", r.address, r.kind, r.status);
  }
  return kExitOk;
}

int RunStateShow(const GlobalOptions& g, const std::string& address) {
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto record = store->Get(address);
  if (!record) {
    PrintError("no resource " + address + " in the state " + g.state_path + "; `cdr state list` lists them");
    return kExitError;
  }
  std::cout << RecordToJson(*record).dump(2) << "\n";
  return kExitOk;
}

int RunStateRm(const GlobalOptions& g, const StateResourcesOptions& o) {
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto lock = ScopedLock::Acquire(*store, g, "state rm");
  if (!lock) return kExitError;
  std::vector<state::ResourceRecord> doomed;
  for (const auto& address : o.addresses) {
    const size_t before = doomed.size();
    for (const auto& r : store->Resources())
      if (Covers(address, r.address) &&
          std::none_of(doomed.begin(), doomed.end(), [&](const auto& d) { return d.address == r.address; }))
        doomed.push_back(r);
    if (doomed.size() == before) {
      PrintError("no resource " + address + " in the state " + g.state_path +
                 "; nothing was removed. `cdr state list` lists them");
      return kExitError;
    }
  }
  for (const auto& r : doomed) {
    std::cout << (o.dry_run ? "Would remove " : "Removed ") << r.address << " (" << r.kind << ", " << r.status
              << (r.provider_id.empty() ? "" : ", " + r.provider_id) << ")\n";
  }
  if (o.dry_run) return kExitOk;
  // Nothing is lost: the state as it was goes beside it first (0600, checked), as terraform.tfstate.backup does.
  const std::string backup = g.state_path + "." + std::to_string(NowUnixMillis()) + ".backup";
  if (Status s = state::BackupState(g.state_path, backup); !s.ok()) {
    PrintError("nothing was removed: could not back the state up first: " + s.message());
    return kExitError;
  }
  for (const auto& r : doomed) {
    if (Status s = store->Delete(r.address); !s.ok()) {
      PrintError("removing " + r.address + ": " + s.message() + "; the state before is in " + backup);
      return kExitError;
    }
  }
  store->BumpSerial();  // plans saved before this are stale
  std::cout << "Successfully removed " << doomed.size() << " resource(s) from the state (backup: " << backup
            << ").\nThe cloud was not touched: a removed server's agent and shadow host keep running until you "
               "delete them, and `cdr plan` proposes creating what the spec still declares.\n";
  return kExitOk;
}

}  // namespace cdr::cmd
