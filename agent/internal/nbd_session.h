// The phases of one NBD connection, split so each file stays about one thing: option haggling
// (nbd_handshake.cc, metadata contexts in nbd_meta_context.cc), then transmission (nbd_connection.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "agent/nbd_server.h"
#include "common/byte_stream.h"

namespace cdr::agent::internal {

// What the option haggling agreed on so far.
struct Negotiated {
  bool structured_replies = false;
  const NbdExport* meta_export = nullptr;  // base:allocation was selected (SET_META_CONTEXT) for this export
};

struct HandshakeResult {
  const NbdExport* chosen = nullptr;  // null: the client aborted or the connection failed
  bool structured_replies = false;
  bool base_allocation = false;  // BLOCK_STATUS may be asked, with context kBaseAllocationId
};

// Runs the fixed-newstyle option haggling on `*stream` (over socket `fd`) until the client picks an export
// (OPT_GO / OPT_EXPORT_NAME). When the server has TLS, every option but STARTTLS and ABORT is refused until
// NBD_OPT_STARTTLS has replaced `*stream` with the verified TLS stream (nbd_starttls.cc).
HandshakeResult RunHandshake(int fd, std::unique_ptr<ByteStream>* stream, const NbdServer& server);

// An accepted NBD_OPT_STARTTLS: the ACK in clear, then the TLS handshake on `fd` within the server's handshake
// timeout; `*stream` becomes the TLS stream. false: the connection is over (the reason is logged).
bool StartTls(int fd, std::unique_ptr<ByteStream>* stream, const NbdServer& server);

// One option reply (header + data); false when the socket failed.
bool SendOptionReply(ByteStream& stream, uint32_t option, uint32_t type, const std::vector<uint8_t>& data = {});

// NBD_OPT_LIST_META_CONTEXT / NBD_OPT_SET_META_CONTEXT; false when the socket failed.
bool HandleMetaContext(ByteStream& stream, uint32_t option, const std::vector<uint8_t>& data, const NbdServer& server,
                       Negotiated* negotiated);

// The transmission flags every export advertises.
uint16_t TransmissionFlags();

// Serves requests, several at a time, until NBD_CMD_DISC, EOF, or a protocol violation; then lets the requests
// in flight finish and reply before returning.
void ServeTransmission(ByteStream& stream, const HandshakeResult& session);

}  // namespace cdr::agent::internal
