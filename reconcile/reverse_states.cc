#include "reconcile/reverse_states.h"

#include "reconcile/server_state.h"

namespace cdr::reconcile {

std::string_view ReverseState(std::string_view forward) {
  const std::optional<ServerState> state = ParseServerState(forward);
  const std::optional<ServerState> reverse = state ? ReverseOf(*state) : std::nullopt;
  return reverse ? ServerStateName(*reverse) : "";
}

std::string_view ForwardState(std::string_view reverse) {
  const std::optional<ServerState> state = ParseServerState(reverse);
  const std::optional<ServerState> forward = state ? ForwardOf(*state) : std::nullopt;
  return forward ? ServerStateName(*forward) : "";
}

bool IsReverseAgentState(std::string_view state) { return !ForwardState(state).empty(); }

}  // namespace cdr::reconcile
