#include "reconcile/plan_json.h"

#include <map>
#include <string>

#include "common/digest.h"
#include "reconcile/address.h"
#include "reconcile/drift_problem.h"
#include "reconcile/operation.h"
#include "reconcile/resource_kind.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;

// Terraform's name label: the spec name the resource belongs to (the server's for a server and its shadow and DR
// hosts, the group's for a group and its network).
std::string NameOf(const std::string& address) {
  const std::string server = ServerOf(address);
  return server.empty() ? GroupOf(address) : LeafName(server);
}

// `kind` none: a drift report's spec error outside any resource.
json Identity(const std::string& address, std::optional<ResourceKind> kind) {
  return {{"address", address},
          {"mode", "managed"},
          {"type", kind ? ResourceKindName(*kind) : ""},
          {"name", NameOf(address)},
          {"provider_name", "cdr"}};
}

const PriorResource* Find(const std::vector<PriorResource>& prior, const std::string& address) {
  for (const auto& r : prior) {
    if (r.address == address) return &r;
  }
  return nullptr;
}

// `status_before`: the state the resource is in when the step starts (a state transition's "from"); absent for a
// resource the state does not hold yet.
json ChangeToJson(const ResourceChange& c, const std::vector<PriorResource>& prior) {
  json j = Identity(c.address, c.kind);
  if (!c.previous_address.empty()) j["previous_address"] = c.previous_address;
  j["change"] = {{"actions", TerraformActions(c.action)}, {"before", c.before}, {"after", c.after}};
  if (!c.replace_because.empty()) {
    json paths = json::array();
    for (const auto& key : c.replace_because) paths.push_back(json::array({key}));
    j["change"]["replace_paths"] = paths;
    j["action_reason"] = "replace_because_cannot_update";
  }
  j["cdr"] = {
      {"action", ActionName(c.action)}, {"operation", OperationName(c.operation)}, {"reason", c.reason}};
  if (!c.replace_because.empty()) j["cdr"]["replace_because"] = c.replace_because;
  const PriorResource* was = Find(prior, c.previous_address.empty() ? c.address : c.previous_address);
  if (was) j["cdr"]["status_before"] = was->status;
  return j;
}


// A resource gone or its host gone is a delete outside cdr; anything else changed it in place.
json DriftToJson(const DriftedResource& d, const std::vector<PriorResource>& prior) {
  const PriorResource* was = Find(prior, d.address);
  const json before = was ? was->values : json();
  const std::optional<DriftProblem> problem = ParseDriftProblem(d.problem);
  const bool gone = problem == DriftProblem::kDeleted || problem == DriftProblem::kHostGone;
  json j = Identity(d.address, d.kind);
  json after = gone ? json() : before;
  if (d.observed.is_object() && after.is_object()) after.update(d.observed);
  j["change"] = {
      {"actions", json::array({gone ? "delete" : "update"})}, {"before", before}, {"after", after}};
  j["cdr"] = {{"problem", d.problem}, {"detail", d.detail}};
  if (!d.observed.is_null()) j["cdr"]["observed"] = d.observed;
  return j;
}

json ResourceValues(const std::string& address, ResourceKind kind, const json& values) {
  json j = Identity(address, kind);
  j["values"] = values;
  return j;
}

json PriorState(const Plan& plan) {
  json resources = json::array();
  for (const auto& r : plan.prior) {
    json j = ResourceValues(r.address, r.kind, r.values);
    j["cdr"] = {{"status", r.status}, {"provider_id", r.provider_id}};
    resources.push_back(std::move(j));
  }
  return {{"format_version", kPlanFormatVersion}, {"values", {{"root_module", {{"resources", resources}}}}}};
}

// What the state will hold once apply has made every change: the prior values with each change's `after`
// merged in, renames moved, deletes left out.
json PlannedValues(const Plan& plan) {
  std::vector<std::pair<std::string, ResourceKind>> order;
  std::map<std::string, json> values;
  for (const auto& r : plan.prior) {
    order.emplace_back(r.address, r.kind);
    values[r.address] = r.values;
  }
  for (const auto& c : plan.changes) {
    if (!c.previous_address.empty()) {
      // A rename moves the resource and everything under it (a group's network and servers, a server's shadow
      // host and DR hosts).
      for (auto& [address, kind] : order) {
        if (!AddressCovers(c.previous_address, address) || !values.count(address)) continue;
        const std::string moved = c.address + address.substr(c.previous_address.size());
        values[moved] = std::move(values[address]);
        values.erase(address);
        address = moved;
      }
    }
    if (c.action == Action::kDelete) {
      values.erase(c.address);
      continue;
    }
    if (!values.count(c.address)) order.emplace_back(c.address, c.kind);
    json& v = values[c.address];
    if (c.action == Action::kReplace || !v.is_object()) v = json::object();
    if (c.after.is_object()) v.update(c.after);
  }
  json resources = json::array();
  for (const auto& [address, kind] : order) {
    auto it = values.find(address);
    if (it != values.end()) resources.push_back(ResourceValues(address, kind, it->second));
  }
  return {{"root_module", {{"resources", resources}}}};
}

json CdrFields(const Plan& plan) {
  PlanSummary s = Summarize(plan);
  return {
      {"plan_mode", PlanModeName(plan.mode)},
      {"state_serial", plan.state_serial},
      {"spec_digest", plan.spec_digest},
      {"git_commit", plan.git_commit},
      {"git_dirty", plan.git_dirty},
      {"git_repository", plan.git_repository},
      {"git_ref", plan.git_ref},
      {"git_path", plan.git_path},
      {"targets", plan.targets},
      {"errors", plan.errors},
      {"summary", {{"add", s.add}, {"change", s.change}, {"destroy", s.destroy}, {"transition", s.transition}}},
  };
}

// Reads a required field of the expected JSON type; on mismatch names the field.
template <typename T>
Status Field(const json& obj, const std::string& where, const char* key, json::value_t type, T* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return InvalidArgument(where + "." + key + " is missing");
  const bool number_ok = type == json::value_t::number_integer && it->is_number_integer();
  if (it->type() != type && !number_ok) return InvalidArgument(where + "." + key + " has the wrong type");
  *out = it->get<T>();
  return Status::Ok();
}

Status Object(const json& obj, const std::string& where, const char* key, const json** out) {
  auto it = obj.find(key);
  if (it == obj.end()) return InvalidArgument(where + "." + key + " is missing");
  if (!it->is_object()) return InvalidArgument(where + "." + key + " is not an object");
  *out = &*it;
  return Status::Ok();
}

template <typename K>  // ResourceKind, or an optional one
Status Kind(const json& j, const std::string& where, K* kind) {
  std::string name;
  CDR_RETURN_IF_ERROR(Field(j, where, "type", json::value_t::string, &name));
  const std::optional<ResourceKind> parsed = ParseResourceKind(name);
  if (!parsed) return InvalidArgument(where + ".type `" + name + "` is unknown");
  *kind = *parsed;
  return Status::Ok();
}

Result<ResourceChange> ChangeFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  ResourceChange c;
  CDR_RETURN_IF_ERROR(Field(j, where, "address", json::value_t::string, &c.address));
  CDR_RETURN_IF_ERROR(Kind(j, where, &c.kind));
  const json* change = nullptr;
  const json* cdr = nullptr;
  CDR_RETURN_IF_ERROR(Object(j, where, "change", &change));
  CDR_RETURN_IF_ERROR(Object(j, where, "cdr", &cdr));
  std::string action;
  CDR_RETURN_IF_ERROR(Field(*cdr, where + ".cdr", "action", json::value_t::string, &action));
  std::string operation;
  CDR_RETURN_IF_ERROR(Field(*cdr, where + ".cdr", "operation", json::value_t::string, &operation));
  auto parsed = ParseAction(action);
  if (!parsed || *parsed == Action::kNoOp) return InvalidArgument(where + ".cdr.action `" + action + "` is unknown");
  c.action = *parsed;
  const std::optional<Operation> op = ParseOperation(operation);
  if (!op) return InvalidArgument(where + ".cdr.operation `" + operation + "` is unknown");
  c.operation = *op;
  // The Terraform-shaped actions are what policies read: they must say what apply will do.
  if (change->value("actions", json()) != json(TerraformActions(c.action))) {
    return InvalidArgument(where + ".change.actions does not match cdr.action `" + action + "`");
  }
  c.before = change->value("before", json());
  c.after = change->value("after", json());
  c.reason = cdr->value("reason", "");
  c.previous_address = j.value("previous_address", "");
  c.replace_because = cdr->value("replace_because", std::vector<std::string>{});
  return c;
}

Result<DriftedResource> DriftFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  DriftedResource d;
  CDR_RETURN_IF_ERROR(Field(j, where, "address", json::value_t::string, &d.address));
  CDR_RETURN_IF_ERROR(Kind(j, where, &d.kind));
  const json* cdr = nullptr;
  CDR_RETURN_IF_ERROR(Object(j, where, "cdr", &cdr));
  CDR_RETURN_IF_ERROR(Field(*cdr, where + ".cdr", "problem", json::value_t::string, &d.problem));
  d.detail = cdr->value("detail", "");
  d.observed = cdr->value("observed", json());
  return d;
}

Result<PriorResource> PriorFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  PriorResource r;
  CDR_RETURN_IF_ERROR(Field(j, where, "address", json::value_t::string, &r.address));
  CDR_RETURN_IF_ERROR(Kind(j, where, &r.kind));
  r.values = j.value("values", json::object());
  const json cdr = j.value("cdr", json::object());
  r.status = cdr.value("status", "");
  r.provider_id = cdr.value("provider_id", "");
  return r;
}

template <typename T>
Status List(const json& doc, const std::string& where, Result<T> (*read)(const json&, const std::string&),
            std::vector<T>* out) {
  if (!doc.is_array()) return InvalidArgument(where + " is not an array");
  for (size_t i = 0; i < doc.size(); ++i) {
    auto item = read(doc[i], where + "[" + std::to_string(i) + "]");
    if (!item.ok()) return item.status();
    out->push_back(std::move(*item));
  }
  return Status::Ok();
}

Status CheckVersion(const json& doc) {
  std::string version;
  CDR_RETURN_IF_ERROR(Field(doc, "plan", "format_version", json::value_t::string, &version));
  const std::string ours = kPlanFormatVersion;
  if (version.substr(0, version.find('.')) != ours.substr(0, ours.find('.'))) {
    return InvalidArgument("plan format_version " + version + " is not supported (this cdr reads " + ours +
                           "); the plan was saved by another cdr release: run `cdr plan -out FILE` again");
  }
  return Status::Ok();
}

Result<Plan> PlanFromJsonOrThrow(const json& doc) {
  if (!doc.is_object()) return InvalidArgument("plan is not a JSON object");
  CDR_RETURN_IF_ERROR(CheckVersion(doc));
  const json* cdr = nullptr;
  CDR_RETURN_IF_ERROR(Object(doc, "plan", "cdr", &cdr));
  Plan plan;
  std::string mode = cdr->value("plan_mode", "normal");
  auto parsed_mode = ParsePlanMode(mode);
  if (!parsed_mode) return InvalidArgument("plan.cdr.plan_mode `" + mode + "` is unknown");
  plan.mode = *parsed_mode;
  CDR_RETURN_IF_ERROR(Field(*cdr, "plan.cdr", "state_serial", json::value_t::number_integer, &plan.state_serial));
  CDR_RETURN_IF_ERROR(Field(*cdr, "plan.cdr", "spec_digest", json::value_t::string, &plan.spec_digest));
  plan.git_commit = cdr->value("git_commit", "");
  plan.git_dirty = cdr->value("git_dirty", false);
  plan.git_repository = cdr->value("git_repository", "");
  plan.git_ref = cdr->value("git_ref", "");
  plan.git_path = cdr->value("git_path", "");
  plan.targets = cdr->value("targets", std::vector<std::string>{});
  plan.errors = cdr->value("errors", std::vector<std::string>{});
  auto changes = doc.find("resource_changes");
  if (changes == doc.end()) return InvalidArgument("plan.resource_changes is missing");
  CDR_RETURN_IF_ERROR(List(*changes, "plan.resource_changes", ChangeFromJson, &plan.changes));
  CDR_RETURN_IF_ERROR(List(doc.value("resource_drift", json::array()), "plan.resource_drift", DriftFromJson,
                           &plan.drifted));
  const json prior = doc.value("prior_state", json::object()).value("values", json::object())
                         .value("root_module", json::object()).value("resources", json::array());
  CDR_RETURN_IF_ERROR(List(prior, "plan.prior_state.values.root_module.resources", PriorFromJson, &plan.prior));
  return plan;
}

}  // namespace

json PlanToJson(const Plan& plan) {
  json changes = json::array();
  for (const auto& c : plan.changes) changes.push_back(ChangeToJson(c, plan.prior));
  json drifted = json::array();
  for (const auto& d : plan.drifted) drifted.push_back(DriftToJson(d, plan.prior));
  return {
      {"format_version", kPlanFormatVersion},
      {"applyable", plan.Applyable()},
      {"complete", plan.targets.empty()},
      {"errored", !plan.errors.empty()},
      {"prior_state", PriorState(plan)},
      {"planned_values", PlannedValues(plan)},
      {"resource_drift", drifted},
      {"resource_changes", changes},
      {"cdr", CdrFields(plan)},
  };
}

std::string PlanDigest(const Plan& plan) { return Sha256Hex(PlanToJson(plan)["resource_changes"].dump()); }

Result<Plan> PlanFromJson(const json& doc) {
  try {
    return PlanFromJsonOrThrow(doc);
  } catch (const json::exception& e) {
    // Optional fields are read with json::value(), which throws on a wrong type (a hand-edited or damaged file).
    return InvalidArgument(std::string("plan has a field of the wrong type: ") + e.what());
  }
}

}  // namespace cdr::reconcile
