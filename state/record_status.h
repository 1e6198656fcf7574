// The lifecycle of a resource cdr creates through the provider (peering, endpoint, shadow host, DR host): the
// `status` of its state record. It is written before the provider call (creating, deleting) and after it
// (created), so a record left in creating or deleting is an interrupted step the next apply resumes with the
// same client token. A server's record holds its state-machine state instead (reconcile/server_state.h).
#pragma once

#include <optional>
#include <string_view>

#include "state/state_store.h"

namespace cdr::state {

enum class RecordStatus { kCreating, kCreated, kDeleting };

const char* RecordStatusName(RecordStatus status);  // "creating", "created", "deleting"
// nullopt: not a lifecycle name (a server's state, a hand edit).
std::optional<RecordStatus> ParseRecordStatus(std::string_view name);
std::optional<RecordStatus> RecordStatusOf(const ResourceRecord& record);
// Creating or deleting: a provider call was under way when the apply that made it stopped.
bool IsInFlight(const ResourceRecord& record);

}  // namespace cdr::state
