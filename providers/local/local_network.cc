// VPC peerings and endpoints: one JSON file per resource. A Create first looks for a record carrying the same
// client_token, so a retried apply finds what its killed predecessor made instead of making a second one.
#include <functional>
#include <optional>

#include "common/json_file.h"
#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/layout.h"
#include "common/random_hex.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

void Note(std::string& problems, const Status& s) {
  if (!s.ok()) problems += (problems.empty() ? "" : "; ") + s.message();
}

// Scans `dir` for the record made with `client_token`. Linear, but Create calls are rare and a DR setup has
// a handful of peerings; an index file would be one more thing to keep consistent.
template <typename Record>
Result<std::optional<Record>> FindByToken(const fs::path& dir, const std::string& client_token,
                                          const std::function<Result<Record>(const fs::path&)>& read) {
  if (client_token.empty()) return std::optional<Record>();
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return std::optional<Record>();
  for (const auto& entry : it) {
    if (entry.path().extension() != ".json") continue;
    auto record = read(entry.path());
    if (!record.ok()) {
      if (record.status().code() == StatusCode::kNotFound) continue;  // deleted while scanning
      return record.status();
    }
    if (record->client_token == client_token) return std::optional<Record>(std::move(*record));
  }
  return std::optional<Record>();
}

// A fresh id whose file does not exist yet; 32 random bits make a retry almost never necessary.
std::string NewId(const std::string& prefix, const std::function<fs::path(const std::string&)>& file_of) {
  for (;;) {
    std::string id = prefix + RandomHex(4);
    std::error_code ec;
    if (!fs::exists(file_of(id), ec)) return id;
  }
}

Status RemoveRecord(const fs::path& path) {
  std::error_code ec;
  if (!fs::remove(path, ec) && ec) return Internal(path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<Peering> LocalProvider::CreatePeering(const PeeringRequest& request) {
  SimulateLatency();
  std::string problems;
  if (request.vpc.empty()) Note(problems, InvalidArgument("vpc is empty"));
  Note(problems, internal::CheckZone(zones_, "production_zone", request.production_zone));
  Note(problems, internal::CheckZone(zones_, "dr_zone", request.dr_zone));
  if (!request.production_zone.empty() && request.production_zone == request.dr_zone) {
    Note(problems, InvalidArgument("production_zone and dr_zone are both \"" + request.dr_zone + "\""));
  }
  if (!problems.empty()) return InvalidArgument(problems);

  const fs::path dir = internal::PeeringsDir(root_);
  auto existing = FindByToken<internal::PeeringRecord>(dir, request.client_token, internal::ReadPeering);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return (*existing)->peering;

  internal::PeeringRecord record;
  record.peering.id =
      NewId("pcx-", [this](const std::string& id) { return internal::PeeringFile(root_, id); });
  record.peering.name = request.name;
  record.peering.vpc = request.vpc;
  record.peering.production_zone = request.production_zone;
  record.peering.dr_zone = request.dr_zone;
  record.peering.status = "active";
  record.client_token = request.client_token;
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(internal::PeeringFile(root_, record.peering.id),
                                              internal::PeeringToJson(record)));
  return record.peering;
}

Result<Peering> LocalProvider::DescribePeering(const std::string& id) {
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid peering id \"" + id + "\"");
  auto record = internal::ReadPeering(internal::PeeringFile(root_, id));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) return NotFound("peering " + id + " does not exist");
    return record.status();
  }
  return record->peering;
}

Status LocalProvider::DeletePeering(const std::string& id) {
  SimulateLatency();
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid peering id \"" + id + "\"");
  return RemoveRecord(internal::PeeringFile(root_, id));
}

Result<Endpoint> LocalProvider::CreateEndpoint(const EndpointRequest& request) {
  SimulateLatency();
  std::string problems;
  if (request.vpc.empty()) Note(problems, InvalidArgument("vpc is empty"));
  Note(problems, internal::CheckZone(zones_, "zone", request.zone));
  if (!problems.empty()) return InvalidArgument(problems);

  const fs::path dir = internal::EndpointsDir(root_);
  auto existing = FindByToken<internal::EndpointRecord>(dir, request.client_token, internal::ReadEndpoint);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return (*existing)->endpoint;

  internal::EndpointRecord record;
  record.endpoint.id =
      NewId("vpce-", [this](const std::string& id) { return internal::EndpointFile(root_, id); });
  record.endpoint.name = request.name;
  record.endpoint.vpc = request.vpc;
  record.endpoint.zone = request.zone;
  // Everything of the local cloud runs on this machine, so the DR side is reached over loopback.
  record.endpoint.address = "127.0.0.1";
  record.endpoint.status = "available";
  record.client_token = request.client_token;
  CDR_RETURN_IF_ERROR(WriteJsonFileAtomically(internal::EndpointFile(root_, record.endpoint.id),
                                              internal::EndpointToJson(record)));
  return record.endpoint;
}

Result<Endpoint> LocalProvider::DescribeEndpoint(const std::string& id) {
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid endpoint id \"" + id + "\"");
  auto record = internal::ReadEndpoint(internal::EndpointFile(root_, id));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound)
      return NotFound("endpoint " + id + " does not exist");
    return record.status();
  }
  return record->endpoint;
}

Status LocalProvider::DeleteEndpoint(const std::string& id) {
  SimulateLatency();
  if (!internal::IsSafeId(id)) return InvalidArgument("invalid endpoint id \"" + id + "\"");
  return RemoveRecord(internal::EndpointFile(root_, id));
}

}  // namespace cdr::providers::local
