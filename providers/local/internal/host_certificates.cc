#include "providers/local/internal/host_certificates.h"

#include "common/tls_identity.h"
#include "common/tls_issuer.h"
#include "providers/local/internal/dr_host_record.h"
#include "providers/local/internal/layout.h"

namespace cdr::providers::local::internal {

namespace fs = std::filesystem;

Status EnsureCertificateAuthority(const fs::path& root) {
  std::error_code ec;
  if (fs::exists(PkiDir(root) / "ca-key.pem", ec)) return Status::Ok();
  return CreateCertificateAuthority(PkiDir(root), "cdr local cloud CA");
}

Status EnsureOperatorCertificate(const fs::path& root) {
  CDR_RETURN_IF_ERROR(EnsureCertificateAuthority(root));
  std::error_code ec;
  if (fs::exists(OperatorTlsDir(root) / "client-key.pem", ec)) return Status::Ok();
  return IssueCertificate(PkiDir(root), {"cdr", TlsRole::kClient, {kOperatorIdentityUri}, {}, {}},
                          OperatorTlsDir(root));
}

Result<std::vector<std::string>> AgentTransportArgs(const fs::path& root, const std::string& host_id,
                                                    const fs::path& tls_dir, bool insecure) {
  if (insecure) return std::vector<std::string>{"--insecure"};
  CDR_RETURN_IF_ERROR(EnsureCertificateAuthority(root));
  CertificateRequest request;
  request.common_name = "cdr-agent " + host_id;
  request.role = TlsRole::kClient;
  request.uris = {ServerIdentityUri(host_id)};
  // A reverse agent (failback) fronts a DR host's disks and replicates them as the server the DR host stands
  // in for.
  auto dr = ReadDrHost(DrHostFile(root, host_id));
  if (dr.ok() && !dr->host.server_id.empty() && IsSafeId(dr->host.server_id)) {
    request.uris.push_back(ServerIdentityUri(dr->host.server_id));
  }
  CDR_RETURN_IF_ERROR(IssueCertificate(PkiDir(root), request, tls_dir));
  CDR_RETURN_IF_ERROR(EnsureOperatorCertificate(root));
  const CertificateRequest api{"cdr-agent " + host_id + " control API", TlsRole::kServer, {}, {"127.0.0.1"},
                               {"localhost"}};
  CDR_RETURN_IF_ERROR(IssueCertificate(PkiDir(root), api, tls_dir));
  return std::vector<std::string>{"--tls-dir", tls_dir.string(), "--api-tls-dir", tls_dir.string(),
                                  "--nbd-tls-dir", tls_dir.string()};
}

namespace {

// A listener's certificate for 127.0.0.1, localhost and its own id.
Status IssueServerCertificate(const fs::path& root, const std::string& common_name, const std::string& id,
                              const fs::path& tls_dir) {
  CDR_RETURN_IF_ERROR(EnsureCertificateAuthority(root));
  CertificateRequest request;
  request.common_name = common_name;
  request.role = TlsRole::kServer;
  request.ip_addresses = {"127.0.0.1"};
  request.dns_names = {"localhost", id};
  return IssueCertificate(PkiDir(root), request, tls_dir);
}

}  // namespace

Result<std::vector<std::string>> ShadowTransportArgs(const fs::path& root, const std::string& shadow_id,
                                                     const fs::path& tls_dir, bool insecure) {
  if (insecure) return std::vector<std::string>{"--insecure"};
  CDR_RETURN_IF_ERROR(IssueServerCertificate(root, "cdr-shadow " + shadow_id, shadow_id, tls_dir));
  return std::vector<std::string>{"--tls-dir", tls_dir.string()};
}

Result<std::vector<std::string>> DrDiskTransportArgs(const fs::path& root, const std::string& dr_host_id,
                                                     const fs::path& tls_dir, bool insecure) {
  if (insecure) return std::vector<std::string>{};
  CDR_RETURN_IF_ERROR(IssueServerCertificate(root, "cdr-dr-disk " + dr_host_id, dr_host_id, tls_dir));
  CDR_RETURN_IF_ERROR(EnsureOperatorCertificate(root));
  return std::vector<std::string>{"--tls-dir", tls_dir.string()};
}

namespace {

// The certificates ID's processes present: its agent's (replication, control API, NBD), its shadow host's and
// its DR host's.
std::vector<fs::path> HostCertificates(const fs::path& root, const std::string& id) {
  std::vector<fs::path> candidates = {AgentTlsDir(root, id) / "client-cert.pem",
                                      AgentTlsDir(root, id) / "server-cert.pem"};
  std::error_code ec;
  for (const auto& zone : fs::directory_iterator(root / "zones", ec)) {
    candidates.push_back(ShadowTlsDir(root, zone.path().filename().string(), id) / "server-cert.pem");
    candidates.push_back(DrHostTlsDir(root, zone.path().filename().string(), id) / "server-cert.pem");
  }
  std::vector<fs::path> found;
  for (const fs::path& path : candidates) {
    if (fs::is_regular_file(path, ec)) found.push_back(path);
  }
  return found;
}

}  // namespace

Result<std::vector<fs::path>> RevokeHostCertificates(const fs::path& root, const std::string& id) {
  // Not echoed: it may hold a newline that forges a line of the output.
  if (!IsSafeId(id)) return InvalidArgument("not a host or shadow host id (1-63 of [A-Za-z0-9_-])");
  std::vector<fs::path> certificates = HostCertificates(root, id);
  if (certificates.empty()) {
    return NotFound("no certificate of " + id + " under " + root.string() +
                    " (an agent's or shadow host's certificates are made when its process starts)");
  }
  Result<int> revoked = RevokeCertificates(PkiDir(root), certificates);
  if (!revoked.ok()) return revoked.status();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->path().filename() == "ca-cert.pem" && it->path().parent_path() != PkiDir(root)) {
      CDR_RETURN_IF_ERROR(CopyRevocationList(PkiDir(root), it->path().parent_path()));
    }
  }
  if (ec) return Internal("publishing the revocation list under " + root.string() + ": " + ec.message());
  return certificates;
}

}  // namespace cdr::providers::local::internal
