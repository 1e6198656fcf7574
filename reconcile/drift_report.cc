#include "reconcile/drift_report.h"

#include <fmt/format.h>

#include "common/clock.h"

namespace cdr::reconcile {
namespace {

// Markdown table cells cannot hold a raw '|'.
std::string Cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\";
    out += c;
  }
  return out;
}

}  // namespace

std::string RenderDriftMarkdown(const Plan& plan, int resources_checked) {
  std::string out = "# cdr drift report\n\n";
  out += fmt::format("- checked at: {}\n- state serial: {}\n- resources checked: {}\n- drifted: {}\n\n",
                     FormatRfc3339(plan.created_at), plan.state_serial, resources_checked, plan.drifted.size());
  if (plan.drifted.empty()) return out + "No drift: every resource in the state exists as recorded.\n";
  out += "| resource | kind | problem | detail |\n|---|---|---|---|\n";
  for (const auto& d : plan.drifted) {
    out += fmt::format("| `{}` | {} | {} | {} |\n", d.address, d.kind, d.problem, Cell(d.detail));
  }
  return out;
}

nlohmann::json DriftToJson(const Plan& plan, int resources_checked) {
  nlohmann::json drifted = nlohmann::json::array();
  for (const auto& d : plan.drifted) {
    drifted.push_back({{"address", d.address}, {"kind", d.kind}, {"problem", d.problem}, {"detail", d.detail}});
  }
  return {{"format_version", std::to_string(kDriftFormatVersion)},
          {"checked_at", FormatRfc3339(plan.created_at)},
          {"state_serial", plan.state_serial},
          {"resources_checked", resources_checked},
          {"drift_detected", !plan.drifted.empty()},
          {"drifted", drifted}};
}

}  // namespace cdr::reconcile
