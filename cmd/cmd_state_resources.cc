// `cdr state list | show ADDRESS | rm ADDRESS…`: what cdr's state records, resource by resource, and the escape
// hatch of forgetting a resource without touching the cloud (as `terraform state rm`).
#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cmd/commands.h"
#include "common/clock.h"
#include "reconcile/address.h"
#include "state/state_integrity.h"
#include "state/state_location.h"

namespace cdr::cmd {
namespace {

nlohmann::json RecordToJson(const state::ResourceRecord& r) {
  return {{"address", r.address},
          {"kind", state::ResourceKindName(r.kind)},
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
  std::vector<state::ResourceRecord> records = store->Resources();
  if (!o.addresses.empty()) {
    std::erase_if(records, [&](const state::ResourceRecord& r) {
      return std::none_of(o.addresses.begin(), o.addresses.end(),
                          [&](const std::string& a) { return reconcile::AddressCovers(a, r.address); });
    });
  }
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : records) out.push_back(RecordToJson(r));
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& r : records)
    std::cout << fmt::format("{:<48} {:<12} {}\n", r.address, state::ResourceKindName(r.kind), r.status);
  return kExitOk;
}

int RunStateShow(const GlobalOptions& g, const std::string& address) {
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto record = store->Get(address);
  if (!record) {
    PrintError("no resource " + address + " in the state " + ShownState(g) + "; `cdr state list` lists them");
    return kExitError;
  }
  std::cout << RecordToJson(*record).dump(2) << "\n";
  return kExitOk;
}

int RunStateRm(const GlobalOptions& g, const StateResourcesOptions& o) {
  if (!StateExistsOrSay(g)) return kExitError;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto lock = ScopedLock::Acquire(*store, g, state::LockOperation::kStateRm);
  if (!lock) return kExitError;
  const std::vector<state::ResourceRecord> records = store->Resources();
  for (const auto& address : o.addresses) {
    if (std::none_of(records.begin(), records.end(),
                     [&](const state::ResourceRecord& r) { return reconcile::AddressCovers(address, r.address); })) {
      PrintError("no resource " + address + " in the state " + ShownState(g) +
                 "; nothing was removed. `cdr state list` lists them");
      return kExitError;
    }
  }
  std::vector<state::ResourceRecord> doomed;
  for (const auto& r : records) {
    if (std::any_of(o.addresses.begin(), o.addresses.end(),
                    [&](const std::string& a) { return reconcile::AddressCovers(a, r.address); }))
      doomed.push_back(r);
  }
  for (const auto& r : doomed) {
    std::cout << (o.dry_run ? "Would remove " : "Removed ") << r.address << " ("
              << state::ResourceKindName(r.kind) << ", " << r.status
              << (r.provider_id.empty() ? "" : ", " + r.provider_id) << ")\n";
  }
  if (o.dry_run) return kExitOk;
  // Nothing is lost: the state as it was goes beside it first (0600, checked), as terraform.tfstate.backup does.
  // A state on PostgreSQL is backed up into a SQLite file in the working directory's .cdr/.
  const std::string backup =
      (state::BackendOf(g.state_path) == state::StateBackend::kPostgres ? std::string(".cdr/state") : g.state_path) +
      "." + std::to_string(NowUnixMillis()) + ".backup";
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
