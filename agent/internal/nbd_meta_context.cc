// NBD_OPT_LIST_META_CONTEXT and NBD_OPT_SET_META_CONTEXT (NBD proto.md, "Metadata querying"). The one context
// served is base:allocation; a client selects it with SET after NBD_OPT_STRUCTURED_REPLY, for the export it
// then names in NBD_OPT_GO, and asks NBD_CMD_BLOCK_STATUS for holes and data.
#include <algorithm>
#include <string>
#include <vector>

#include "agent/internal/nbd_session.h"
#include "agent/internal/socket_io.h"
#include "agent/nbd_protocol.h"

namespace cdr::agent::internal {
namespace {

// The option's payload: export name, then a counted list of query strings. Empty on a malformed payload.
struct MetaQuery {
  bool valid = false;
  std::string export_name;
  std::vector<std::string> queries;
};

MetaQuery Parse(const std::vector<uint8_t>& data) {
  MetaQuery q;
  size_t pos = 0;
  auto string_at = [&](std::string* out) {
    if (data.size() - pos < 4) return false;
    const uint32_t len = GetU32(data.data() + pos);
    pos += 4;
    if (len > nbd::kMaxStringLength || data.size() - pos < len) return false;
    out->assign(reinterpret_cast<const char*>(data.data() + pos), len);
    pos += len;
    return true;
  };
  if (!string_at(&q.export_name) || data.size() - pos < 4) return q;
  const uint32_t count = GetU32(data.data() + pos);
  pos += 4;
  for (uint32_t i = 0; i < count; ++i) {
    std::string query;
    if (!string_at(&query)) return q;
    q.queries.push_back(std::move(query));
  }
  q.valid = pos == data.size();
  return q;
}

bool SendContext(ByteStream& stream, uint32_t option, uint32_t id) {
  const std::string name = nbd::kBaseAllocation;
  std::vector<uint8_t> item(4 + name.size());
  PutU32(item.data(), id);
  std::copy(name.begin(), name.end(), item.begin() + 4);
  return SendOptionReply(stream, option, nbd::kRepMetaContext, item);
}

}  // namespace

bool HandleMetaContext(ByteStream& stream, uint32_t option, const std::vector<uint8_t>& data, const NbdServer& server,
                       Negotiated* negotiated) {
  const bool set = option == static_cast<uint32_t>(nbd::Opt::kSetMetaContext);
  if (set) negotiated->meta_export = nullptr;  // SET replaces whatever an earlier SET chose
  if (!negotiated->structured_replies) return SendOptionReply(stream, option, nbd::kRepErrInvalid);
  const MetaQuery q = Parse(data);
  if (!q.valid) return SendOptionReply(stream, option, nbd::kRepErrInvalid);
  const NbdExport* exp = server.FindExport(q.export_name);
  if (exp == nullptr) return SendOptionReply(stream, option, nbd::kRepErrUnknown);
  bool base_allocation = !set && q.queries.empty();  // LIST with no query lists everything
  for (const std::string& query : q.queries) {
    base_allocation |= query == nbd::kBaseAllocation || (!set && query == "base:");
  }
  if (base_allocation) {
    // LIST replies carry id 0 (reserved); SET replies the id BLOCK_STATUS chunks will carry.
    if (!SendContext(stream, option, set ? nbd::kBaseAllocationId : 0)) return false;
    if (set) negotiated->meta_export = exp;
  }
  return SendOptionReply(stream, option, nbd::kRepAck);
}

}  // namespace cdr::agent::internal
