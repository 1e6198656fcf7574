#include "reconcile/action.h"

#include <array>
#include <utility>

namespace cdr::reconcile {
namespace {

constexpr std::array<std::pair<Action, const char*>, 6> kNames = {{
    {Action::kNoOp, "no-op"},
    {Action::kCreate, "create"},
    {Action::kUpdate, "update"},
    {Action::kDelete, "delete"},
    {Action::kReplace, "replace"},
    {Action::kTransition, "transition"},
}};

}  // namespace

const char* ActionName(Action a) {
  for (const auto& [action, name] : kNames) {
    if (action == a) return name;
  }
  return "unknown";
}

const char* ActionSymbol(Action a) {
  switch (a) {
    case Action::kNoOp: return " ";
    case Action::kCreate: return "+";
    case Action::kUpdate: return "~";
    case Action::kDelete: return "-";
    case Action::kReplace: return "-/+";
    case Action::kTransition: return ">";
  }
  return "?";
}

std::optional<Action> ParseAction(const std::string& name) {
  for (const auto& [action, n] : kNames) {
    if (name == n) return action;
  }
  return std::nullopt;
}

}  // namespace cdr::reconcile
