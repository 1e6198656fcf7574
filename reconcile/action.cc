#include "reconcile/action.h"

namespace cdr::reconcile {
namespace {

struct ActionRow {
  Action action;
  const char* name;
  const char* symbol;
  std::vector<const char*> terraform;  // Terraform's change.actions
};

// A transition changes an existing resource in place, which is Terraform's "update".
const ActionRow kActions[] = {
    {Action::kNoOp, "no-op", " ", {"no-op"}},
    {Action::kCreate, "create", "+", {"create"}},
    {Action::kUpdate, "update", "~", {"update"}},
    {Action::kDelete, "delete", "-", {"delete"}},
    {Action::kReplace, "replace", "-/+", {"delete", "create"}},
    {Action::kTransition, "transition", ">", {"update"}},
};

const ActionRow* Row(Action a) {
  for (const auto& row : kActions) {
    if (row.action == a) return &row;
  }
  return nullptr;
}

}  // namespace

const char* ActionName(Action a) {
  const ActionRow* row = Row(a);
  return row ? row->name : "unknown";
}

const char* ActionSymbol(Action a) {
  const ActionRow* row = Row(a);
  return row ? row->symbol : "?";
}

std::vector<std::string> TerraformActions(Action a) {
  const ActionRow* row = Row(a);
  if (!row) return {};
  return {row->terraform.begin(), row->terraform.end()};
}

std::optional<Action> ParseAction(const std::string& name) {
  for (const auto& row : kActions) {
    if (name == row.name) return row.action;
  }
  return std::nullopt;
}

}  // namespace cdr::reconcile
