// Failback runs the forward replication state machine again, on the DR host's reverse agent
// (docs/state-machine.md): the agent knows nothing of directions and reports its forward states, which the
// server state table (server_state.h: ForwardOf, ReverseOf) renames to the reverse_* states of the server.
// Refresh and the replication steps (their *_reverse_* operations) rename what the reverse agent reports;
// reverse replication is planned through ForwardState, so that its start, stop, restart and repair are the
// forward code.
//
//   initialized          ◄──► reverse_initialized
//   replication_starting ◄──► reverse_starting
//   full_sync            ◄──► reverse_full_sync            (and its _stopping, _stopped)
//   realtime             ◄──► reverse_realtime             (and its _stopping, _stopped)
//   replication_error    ◄──► reverse_replication_error
//   repair_starting      ◄──► reverse_repair_starting
//   repairing            ◄──► reverse_repairing
#pragma once

#include <string_view>

namespace cdr::reconcile {

// The reverse_* name of a forward state the agent reports; "" when it has none.
std::string_view ReverseState(std::string_view forward);
// The forward state a reverse_* state stands for; "" when it is not one of the table.
std::string_view ForwardState(std::string_view reverse);
// The states in which the server's agent is the DR host's reverse agent (the table's reverse side).
bool IsReverseAgentState(std::string_view state);

}  // namespace cdr::reconcile
