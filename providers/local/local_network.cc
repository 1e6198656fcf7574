// VPC peerings and endpoints: one JSON file per resource. A Create first looks for a record carrying the same
// client_token, so a retried apply finds what its killed predecessor made instead of making a second one.
#include "common/json_file.h"
#include "providers/local/internal/cloud_config.h"
#include "providers/local/internal/layout.h"
#include "providers/local/internal/record_lookup.h"
#include "providers/local/internal/records.h"
#include "providers/local/local_provider.h"

namespace cdr::providers::local {
namespace {

namespace fs = std::filesystem;

void Note(std::string& problems, const Status& s) {
  if (!s.ok()) problems += (problems.empty() ? "" : "; ") + s.message();
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
  auto existing =
      internal::FindByToken<internal::PeeringRecord>(dir, request.client_token, internal::ReadPeering);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return (*existing)->peering;

  internal::PeeringRecord record;
  record.peering.id =
      internal::NewId("pcx-", [this](const std::string& id) { return internal::PeeringFile(root_, id); });
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
  auto existing =
      internal::FindByToken<internal::EndpointRecord>(dir, request.client_token, internal::ReadEndpoint);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return (*existing)->endpoint;

  internal::EndpointRecord record;
  record.endpoint.id =
      internal::NewId("vpce-", [this](const std::string& id) { return internal::EndpointFile(root_, id); });
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
