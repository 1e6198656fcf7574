// Fixed-newstyle option haggling (NBD proto.md, "Option haggling"). NBD_OPT_STRUCTURED_REPLY is accepted and
// enables the base:allocation metadata context (nbd_meta_context.cc); unknown options get NBD_REP_ERR_UNSUP.
// A server with TLS behaves as nbdkit --tls=require: before NBD_OPT_STARTTLS (nbd_starttls.cc) every option
// but ABORT gets NBD_REP_ERR_TLS_REQD (NBD_OPT_EXPORT_NAME, which has no error reply, closes the connection).
//
//   plain options ──STARTTLS──► TLS handshake (client certificate of the estate's CA) ──► options ──GO──► data
//        │ anything else: ERR_TLS_REQD              │ fails: closed
#include <cstring>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "agent/internal/nbd_session.h"
#include "agent/internal/socket_io.h"
#include "agent/nbd_protocol.h"

namespace cdr::agent::internal {
bool SendOptionReply(ByteStream& stream, uint32_t option, uint32_t type, const std::vector<uint8_t>& data) {
  uint8_t header[20];
  PutU64(header, nbd::kOptReplyMagic);
  PutU32(header + 8, option);
  PutU32(header + 12, type);
  PutU32(header + 16, static_cast<uint32_t>(data.size()));
  struct iovec iov[2] = {{header, sizeof header}, {const_cast<uint8_t*>(data.data()), data.size()}};
  return WriteVecFull(stream, iov, data.empty() ? 1 : 2);
}

namespace {

// The options a server that requires TLS haggles before the TLS handshake.
bool AllowedBeforeTls(nbd::Opt option) { return option == nbd::Opt::kStartTls || option == nbd::Opt::kAbort; }

void Append16(std::vector<uint8_t>& v, uint16_t x) {
  v.resize(v.size() + 2);
  PutU16(v.data() + v.size() - 2, x);
}
void Append32(std::vector<uint8_t>& v, uint32_t x) {
  v.resize(v.size() + 4);
  PutU32(v.data() + v.size() - 4, x);
}
void Append64(std::vector<uint8_t>& v, uint64_t x) {
  v.resize(v.size() + 8);
  PutU64(v.data() + v.size() - 8, x);
}

bool HandleList(ByteStream& stream, uint32_t option, const std::vector<uint8_t>& data, const NbdServer& server) {
  if (!data.empty()) return SendOptionReply(stream, option, nbd::kRepErrInvalid);
  for (const auto& e : server.exports()) {
    std::vector<uint8_t> item;
    Append32(item, static_cast<uint32_t>(e.name.size()));
    item.insert(item.end(), e.name.begin(), e.name.end());
    item.insert(item.end(), e.description.begin(), e.description.end());
    if (!SendOptionReply(stream, option, nbd::kRepServer, item)) return false;
  }
  return SendOptionReply(stream, option, nbd::kRepAck);
}

// NBD_OPT_INFO and NBD_OPT_GO share one payload and one reply; GO then enters transmission.
// Returns the export on success, sets *alive = false if the socket failed.
const NbdExport* HandleInfoOrGo(ByteStream& stream, uint32_t option, const std::vector<uint8_t>& data,
                                const NbdServer& server, bool* alive) {
  *alive = true;
  auto invalid = [&] {
    *alive = SendOptionReply(stream, option, nbd::kRepErrInvalid);
    return nullptr;
  };
  if (data.size() < 6) return invalid();
  const uint32_t name_len = GetU32(data.data());
  if (data.size() < 4ull + name_len + 2) return invalid();
  std::string name(reinterpret_cast<const char*>(data.data() + 4), name_len);
  const uint16_t n_requests = GetU16(data.data() + 4 + name_len);
  if (data.size() != 4ull + name_len + 2 + 2ull * n_requests) return invalid();
  bool want_name = false, want_description = false;
  for (uint16_t i = 0; i < n_requests; ++i) {
    uint16_t info = GetU16(data.data() + 4 + name_len + 2 + 2 * i);
    want_name |= info == nbd::kInfoName;
    want_description |= info == nbd::kInfoDescription;
  }
  const NbdExport* exp = server.FindExport(name);
  if (exp == nullptr) {
    std::vector<uint8_t> msg;
    const std::string text = "unknown export: " + name;
    msg.assign(text.begin(), text.end());
    *alive = SendOptionReply(stream, option, nbd::kRepErrUnknown, msg);
    return nullptr;
  }
  std::vector<uint8_t> info;
  Append16(info, nbd::kInfoExport);
  Append64(info, exp->device->Size());
  Append16(info, TransmissionFlags());
  if (!SendOptionReply(stream, option, nbd::kRepInfo, info)) return *alive = false, nullptr;
  // Sent unasked: min 1 imposes nothing on the client, and it learns the preferred size.
  info.clear();
  Append16(info, nbd::kInfoBlockSize);
  Append32(info, nbd::kMinBlock);
  Append32(info, std::max(exp->device->BlockSize(), nbd::kPreferredBlock));
  Append32(info, nbd::kMaxPayload);
  if (!SendOptionReply(stream, option, nbd::kRepInfo, info)) return *alive = false, nullptr;
  if (want_name) {
    info.clear();
    Append16(info, nbd::kInfoName);
    info.insert(info.end(), exp->name.begin(), exp->name.end());
    if (!SendOptionReply(stream, option, nbd::kRepInfo, info)) return *alive = false, nullptr;
  }
  if (want_description && !exp->description.empty()) {
    info.clear();
    Append16(info, nbd::kInfoDescription);
    info.insert(info.end(), exp->description.begin(), exp->description.end());
    if (!SendOptionReply(stream, option, nbd::kRepInfo, info)) return *alive = false, nullptr;
  }
  if (!SendOptionReply(stream, option, nbd::kRepAck)) return *alive = false, nullptr;
  return exp;
}

}  // namespace

uint16_t TransmissionFlags() {
  return nbd::kTxHasFlags | nbd::kTxSendFlush | nbd::kTxSendFua | nbd::kTxSendTrim | nbd::kTxSendWriteZeroes |
         nbd::kTxCanMultiConn;
}

HandshakeResult RunHandshake(int fd, std::unique_ptr<ByteStream>* stream_slot, const NbdServer& server) {
  bool tls_active = false;
  uint8_t greeting[18];
  PutU64(greeting, nbd::kNbdMagic);
  PutU64(greeting + 8, nbd::kIHaveOpt);
  PutU16(greeting + 16, nbd::kFlagFixedNewstyle | nbd::kFlagNoZeroes);
  if (!WriteFull(**stream_slot, greeting, sizeof greeting)) return {};
  uint8_t client_flags_raw[4];
  if (!ReadFull(**stream_slot, client_flags_raw, 4)) return {};
  const uint32_t client_flags = GetU32(client_flags_raw);
  if (client_flags & ~(nbd::kClientFlagFixedNewstyle | nbd::kClientFlagNoZeroes)) {
    spdlog::warn("nbd: client sent unknown flags {:#x}, closing", client_flags);
    return {};
  }
  std::vector<uint8_t> data;
  Negotiated negotiated;
  // The export chosen, with what was negotiated for it (base:allocation only if it was set for this export).
  auto chosen = [&](const NbdExport* exp) {
    return HandshakeResult{exp, negotiated.structured_replies, negotiated.meta_export == exp};
  };
  while (true) {
    ByteStream& stream = **stream_slot;  // replaced by STARTTLS
    uint8_t header[16];
    if (!ReadFull(stream, header, sizeof header)) return {};
    if (GetU64(header) != nbd::kIHaveOpt) return {};
    const uint32_t option = GetU32(header + 8);
    const uint32_t length = GetU32(header + 12);
    // NBD_OPT_EXPORT_NAME has no reply but the export itself: the only answer to a bad one is to close.
    if (option == static_cast<uint32_t>(nbd::Opt::kExportName) && length > nbd::kMaxStringLength) return {};
    if (length > nbd::kMaxOptionLength) {
      if (!Discard(stream, length) || !SendOptionReply(stream, option, nbd::kRepErrTooBig)) return {};
      continue;
    }
    data.resize(length);
    if (length > 0 && !ReadFull(stream, data.data(), length)) return {};
    if (server.tls() != nullptr && !tls_active && !AllowedBeforeTls(static_cast<nbd::Opt>(option))) {
      if (option == static_cast<uint32_t>(nbd::Opt::kExportName)) return {};
      if (!SendOptionReply(stream, option, nbd::kRepErrTlsReqd)) return {};
      continue;
    }
    switch (static_cast<nbd::Opt>(option)) {
      case nbd::Opt::kExportName: {
        // Old-style selection: no error reply exists, an unknown name just closes the connection.
        const NbdExport* exp = server.FindExport(std::string(data.begin(), data.end()));
        if (exp == nullptr) return {};
        uint8_t reply[10 + 124] = {};
        PutU64(reply, exp->device->Size());
        PutU16(reply + 8, TransmissionFlags());
        const size_t n = (client_flags & nbd::kClientFlagNoZeroes) ? 10 : sizeof reply;
        if (!WriteFull(stream, reply, n)) return {};
        return chosen(exp);
      }
      case nbd::Opt::kAbort:
        SendOptionReply(stream, option, nbd::kRepAck);
        return {};
      case nbd::Opt::kStartTls:
        if (server.tls() == nullptr) {
          if (!SendOptionReply(stream, option, nbd::kRepErrUnsup)) return {};
        } else if (tls_active || length != 0) {
          if (!SendOptionReply(stream, option, nbd::kRepErrInvalid)) return {};
        } else {
          if (!StartTls(fd, stream_slot, server)) return {};
          tls_active = true;
        }
        break;
      case nbd::Opt::kList:
        if (!HandleList(stream, option, data, server)) return {};
        break;
      case nbd::Opt::kInfo:
      case nbd::Opt::kGo: {
        bool alive = true;
        const NbdExport* exp = HandleInfoOrGo(stream, option, data, server, &alive);
        if (!alive) return {};
        if (exp != nullptr && option == static_cast<uint32_t>(nbd::Opt::kGo)) return chosen(exp);
        break;
      }
      case nbd::Opt::kStructuredReply:
        if (length != 0) {
          if (!SendOptionReply(stream, option, nbd::kRepErrInvalid)) return {};
          break;
        }
        negotiated.structured_replies = true;
        if (!SendOptionReply(stream, option, nbd::kRepAck)) return {};
        break;
      case nbd::Opt::kListMetaContext:
      case nbd::Opt::kSetMetaContext:
        if (!HandleMetaContext(stream, option, data, server, &negotiated)) return {};
        break;
      default:
        if (!SendOptionReply(stream, option, nbd::kRepErrUnsup)) return {};
        break;
    }
  }
}

}  // namespace cdr::agent::internal
