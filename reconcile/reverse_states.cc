#include "reconcile/reverse_states.h"

#include <array>
#include <utility>

namespace cdr::reconcile {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kReverse = {{
    {"initialized", "reverse_initialized"},
    {"replication_starting", "reverse_starting"},
    {"full_sync", "reverse_full_sync"},
    {"realtime", "reverse_realtime"},
    {"full_sync_stopping", "reverse_full_sync_stopping"},
    {"full_sync_stopped", "reverse_full_sync_stopped"},
    {"realtime_stopping", "reverse_realtime_stopping"},
    {"realtime_stopped", "reverse_realtime_stopped"},
    {"replication_error", "reverse_replication_error"},
    {"repair_starting", "reverse_repair_starting"},
    {"repairing", "reverse_repairing"},
}};

}  // namespace

std::string_view ReverseState(std::string_view forward) {
  for (const auto& [f, r] : kReverse) {
    if (f == forward) return r;
  }
  return "";
}

std::string_view ForwardState(std::string_view reverse) {
  for (const auto& [f, r] : kReverse) {
    if (r == reverse) return f;
  }
  return "";
}

bool IsReverseAgentState(std::string_view state) { return !ForwardState(state).empty(); }

}  // namespace cdr::reconcile
