#include "reconcile/plan_json.h"

#include <string>

#include "common/digest.h"
#include "common/rfc3339.h"

namespace cdr::reconcile {
namespace {

using nlohmann::json;

json ChangeToJson(const ResourceChange& c) {
  json j = {{"address", c.address},     {"kind", c.kind},     {"action", ActionName(c.action)},
            {"operation", c.operation}, {"before", c.before}, {"after", c.after},
            {"reason", c.reason}};
  if (!c.previous_address.empty()) j["previous_address"] = c.previous_address;
  if (!c.replace_because.empty()) j["replace_because"] = c.replace_because;
  return j;
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

Result<ResourceChange> ChangeFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) return InvalidArgument(where + " is not an object");
  ResourceChange c;
  std::string action;
  CDR_RETURN_IF_ERROR(Field(j, where, "address", json::value_t::string, &c.address));
  CDR_RETURN_IF_ERROR(Field(j, where, "kind", json::value_t::string, &c.kind));
  CDR_RETURN_IF_ERROR(Field(j, where, "action", json::value_t::string, &action));
  CDR_RETURN_IF_ERROR(Field(j, where, "operation", json::value_t::string, &c.operation));
  if (c.kind != "group" && c.kind != "peering" && c.kind != "endpoint" && c.kind != "server" &&
      c.kind != "shadow_host" && c.kind != "dr_host") {
    return InvalidArgument(where + ".kind `" + c.kind + "` is unknown");
  }
  auto parsed = ParseAction(action);
  if (!parsed || *parsed == Action::kNoOp) return InvalidArgument(where + ".action `" + action + "` is unknown");
  c.action = *parsed;
  c.before = j.value("before", json());
  c.after = j.value("after", json());
  c.reason = j.value("reason", "");
  c.previous_address = j.value("previous_address", "");
  c.replace_because = j.value("replace_because", std::vector<std::string>{});
  return c;
}

// RFC 3339, as every time cdr writes; plans saved before that hold Unix milliseconds, still read.
Status CreatedAtFromJson(const json& doc, int64_t* unix_millis) {
  auto it = doc.find("created_at");
  if (it == doc.end() || it->is_null()) return Status();
  if (it->is_number_integer()) {
    *unix_millis = it->get<int64_t>();
    return Status();
  }
  int64_t ns = 0;
  std::string problem = "not a string";
  if (!it->is_string() || !ParseRfc3339(it->get<std::string>(), &ns, &problem)) {
    return InvalidArgument("plan.created_at is not an RFC 3339 time: " + problem);
  }
  *unix_millis = ns / 1'000'000;
  return Status();
}

}  // namespace

json PlanToJson(const Plan& plan) {
  json changes = json::array();
  for (const auto& c : plan.changes) changes.push_back(ChangeToJson(c));
  json drifted = json::array();
  for (const auto& d : plan.drifted) {
    drifted.push_back({{"address", d.address}, {"kind", d.kind}, {"problem", d.problem}, {"detail", d.detail}});
  }
  PlanSummary s = Summarize(plan);
  return {
      {"format_version", std::to_string(plan.format_version)},
      {"state_serial", plan.state_serial},
      {"spec_digest", plan.spec_digest},
      {"git_commit", plan.git_commit},
      {"git_dirty", plan.git_dirty},
      {"git_repository", plan.git_repository},
      {"git_ref", plan.git_ref},
      {"git_path", plan.git_path},
      {"created_at", FormatRfc3339Nanos(plan.created_at * 1'000'000)},
      {"targets", plan.targets},
      {"changes", changes},
      {"drifted", drifted},
      {"summary", {{"add", s.add}, {"change", s.change}, {"destroy", s.destroy}, {"transition", s.transition}}},
  };
}

static Result<Plan> PlanFromJsonOrThrow(const json& doc) {
  if (!doc.is_object()) return InvalidArgument("plan is not a JSON object");
  std::string version;
  CDR_RETURN_IF_ERROR(Field(doc, "plan", "format_version", json::value_t::string, &version));
  if (version != std::to_string(kPlanFormatVersion)) {
    return InvalidArgument("plan format_version " + version + " is not supported (this cdr writes " +
                           std::to_string(kPlanFormatVersion) + ")");
  }
  Plan plan;
  CDR_RETURN_IF_ERROR(Field(doc, "plan", "state_serial", json::value_t::number_integer, &plan.state_serial));
  CDR_RETURN_IF_ERROR(Field(doc, "plan", "spec_digest", json::value_t::string, &plan.spec_digest));
  plan.git_commit = doc.value("git_commit", "");
  plan.git_dirty = doc.value("git_dirty", false);
  plan.git_repository = doc.value("git_repository", "");
  plan.git_ref = doc.value("git_ref", "");
  plan.git_path = doc.value("git_path", "");
  CDR_RETURN_IF_ERROR(CreatedAtFromJson(doc, &plan.created_at));
  plan.targets = doc.value("targets", std::vector<std::string>{});
  auto changes = doc.find("changes");
  if (changes == doc.end() || !changes->is_array()) return InvalidArgument("plan.changes is missing");
  for (size_t i = 0; i < changes->size(); ++i) {
    auto c = ChangeFromJson((*changes)[i], "plan.changes[" + std::to_string(i) + "]");
    if (!c.ok()) return c.status();
    plan.changes.push_back(std::move(*c));
  }
  for (const auto& d : doc.value("drifted", json::array())) {
    plan.drifted.push_back({d.value("address", ""), d.value("kind", ""), d.value("problem", ""),
                            d.value("detail", "")});
  }
  return plan;
}

std::string PlanDigest(const Plan& plan) { return Sha256Hex(PlanToJson(plan)["changes"].dump()); }

Result<Plan> PlanFromJson(const json& doc) {
  try {
    return PlanFromJsonOrThrow(doc);
  } catch (const json::exception& e) {
    // Optional fields are read with json::value(), which throws on a wrong type (a hand-edited or damaged file).
    return InvalidArgument(std::string("plan has a field of the wrong type: ") + e.what());
  }
}

}  // namespace cdr::reconcile
