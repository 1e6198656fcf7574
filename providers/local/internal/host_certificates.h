// The local cloud's TLS identities: ROOT/pki holds the estate's CA (made by `cdr local init`, or on first use
// in a cloud made before), and each agent and shadow host gets a fresh key and certificate in its own tls/
// directory every time its process starts (common/tls_context.h layout; keys 0600, never logged).
//
//   agent of host H            client certificate, URI cdr:server/H (a reverse agent on DR host D also
//                              cdr:server/<the server D stands in for>), for replication; and a server
//                              certificate, IP 127.0.0.1, DNS localhost, for its HTTPS control API
//   shadow host S              server certificate, IP 127.0.0.1, DNS localhost and S
//   DR host D (cdr-dr-disk)    server certificate, IP 127.0.0.1, DNS localhost and D, for its NBD exports
//   cdr itself (ROOT/pki/cdr)  client certificate, URI cdr:operator: what agents' control APIs let in; made
//                              once (by `cdr local init` or on first use), kept
//
// With the estate's `insecure = true` the processes get --insecure instead and no certificate. A revoked
// certificate (RevokeHostCertificates) is listed in ROOT/pki/ca-crl.pem, copied into every tls/ directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::providers::local::internal {

inline std::filesystem::path PkiDir(const std::filesystem::path& root) { return root / "pki"; }

// cdr's own client certificate, key and the CA (ROOT/pki/cdr) for the agents' control API.
inline std::filesystem::path OperatorTlsDir(const std::filesystem::path& root) { return PkiDir(root) / "cdr"; }

// Creates ROOT/pki/ca-cert.pem and ca-key.pem unless they exist.
Status EnsureCertificateAuthority(const std::filesystem::path& root);
// Creates OperatorTlsDir(root) (and the CA) unless it exists.
Status EnsureOperatorCertificate(const std::filesystem::path& root);

// cdr-agent's transport flags: {"--tls-dir", DIR, "--api-tls-dir", DIR, "--nbd-tls-dir", DIR} with the
// certificates just issued into DIR (and cdr's own made if missing), or {"--insecure"}. The NBD exports present
// the control API's server certificate and take any client certificate of the estate's CA.
Result<std::vector<std::string>> AgentTransportArgs(const std::filesystem::path& root,
                                                    const std::string& host_id,
                                                    const std::filesystem::path& tls_dir, bool insecure);
// cdr-shadow's transport flags, the same way.
Result<std::vector<std::string>> ShadowTransportArgs(const std::filesystem::path& root,
                                                     const std::string& shadow_id,
                                                     const std::filesystem::path& tls_dir, bool insecure);

// cdr-dr-disk serve's: {"--tls-dir", DIR} with a server certificate just issued into DIR (and cdr's own made
// if missing: NBD clients present it), or {} (plain NBD).
Result<std::vector<std::string>> DrDiskTransportArgs(const std::filesystem::path& root,
                                                     const std::string& dr_host_id,
                                                     const std::filesystem::path& tls_dir, bool insecure);

// `cdr local revoke ID`: revokes the certificates that the agent of host ID and the shadow host ID hold now
// (their tls/ directories) and publishes the CA's new revocation list beside every copy of the CA certificate
// under ROOT, where the running listeners look at their next handshake. Returns the certificate files revoked;
// kNotFound when ID has none.
Result<std::vector<std::filesystem::path>> RevokeHostCertificates(const std::filesystem::path& root,
                                                                  const std::string& id);

}  // namespace cdr::providers::local::internal
