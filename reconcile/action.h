// What a planned change does to one resource. Symbols follow Terraform's plan output.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cdr::reconcile {

enum class Action {
  kNoOp,
  kCreate,      // '+'
  kUpdate,      // '~'  in place
  kDelete,      // '-'
  kReplace,     // '-/+' delete, then create
  kTransition,  // '>'  a state-machine step of an existing resource (register again, start, stop, …)
};

const char* ActionName(Action a);    // "create", "update", …
const char* ActionSymbol(Action a);  // "+", "~", "-", "-/+", ">"
// Terraform's change.actions: ["create"], ["update"], ["delete"], ["delete", "create"]; a transition is ["update"].
std::vector<std::string> TerraformActions(Action a);
std::optional<Action> ParseAction(const std::string& name);

}  // namespace cdr::reconcile
