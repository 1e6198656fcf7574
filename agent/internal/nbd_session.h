// The two phases of one NBD connection, split so each file stays about one thing.
#pragma once

#include <cstdint>

#include "agent/nbd_server.h"

namespace cdr::agent::internal {

struct HandshakeResult {
  const NbdExport* chosen = nullptr;  // null: the client aborted or the connection failed
};

// Runs the fixed-newstyle option haggling on `fd` until the client picks an export (OPT_GO / OPT_EXPORT_NAME).
HandshakeResult RunHandshake(int fd, const NbdServer& server);

// The transmission flags every export advertises.
uint16_t TransmissionFlags();

// Serves requests in order until NBD_CMD_DISC, EOF, or a protocol violation.
void ServeTransmission(int fd, const NbdExport& exp);

}  // namespace cdr::agent::internal
