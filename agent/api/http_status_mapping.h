// How a Status crosses the control API: the agent turns a command's Status into an HTTP code and the client
// turns the code back, so the reconciler sees the code the agent's ReplicationControl returned.
//   kFailedPrecondition ↔ 409   kInvalidArgument ↔ 400   kPermissionDenied ← 401   others → 500 → kInternal
//   no answer at all (refused, reset, timeout) → kUnavailable, decided by the client before any mapping
#pragma once

#include <string>

#include "common/status.h"

namespace cdr::agent::api {

int HttpStatusFor(StatusCode code);

// {"error": "..."}: the body of every refused command.
std::string ErrorBody(const std::string& message);

// The Status for an agent's reply; `address` names the agent in the message. 2xx is Ok.
Status StatusFromHttp(int http_status, const std::string& body, const std::string& address);

}  // namespace cdr::agent::api
