#include <fmt/format.h>

#include <iostream>

#include "cmd/commands.h"
#include "common/clock.h"

namespace cdr::cmd {

int RunHistory(const GlobalOptions& g, const HistoryOptions& o) {
  if (!StateExistsOrSay(g)) return kExitOk;
  auto store = OpenStateOrReport(g);
  if (!store) return kExitError;
  auto history = store->History(o.limit);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& h : history) {
      out.push_back({{"id", h.id},
                     {"applied_at", FormatRfc3339(h.applied_at)},
                     {"serial", h.serial},
                     {"git_commit", h.git_commit},
                     {"source", h.source},
                     {"plan_digest", h.plan_digest},
                     {"operator", h.operator_name},
                     {"changes", h.changes},
                     {"failed", h.failed},
                     {"rollback", h.rollback},
                     {"finished_at", h.finished_at == 0 ? nlohmann::json() : nlohmann::json(FormatRfc3339(h.finished_at))}});
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (history.empty()) {
    std::cout << "No applies recorded yet.\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:>4}  {:<20} {:>6}  {:<12} {:>7} {:>6}  {:<24} {}\n", "ID", "APPLIED", "SERIAL",
                           "COMMIT", "CHANGES", "FAILED", "OPERATOR", "SOURCE");
  for (const auto& h : history) {
    std::cout << fmt::format("{:>4}  {:<20} {:>6}  {:<12} {:>7} {:>6}  {:<24} {}{}\n", h.id,
                             FormatRfc3339(h.applied_at), h.serial, h.git_commit.empty() ? "-" : h.git_commit.substr(0, 12),
                             h.changes, h.failed, h.operator_name, h.source,
                             std::string(h.rollback ? "  [rollback]" : "") +
                                 (h.finished_at == 0 ? "  [unfinished: running or killed]" : ""));
  }
  return kExitOk;
}

}  // namespace cdr::cmd
