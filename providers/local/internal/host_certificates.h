// The local cloud's TLS identities: ROOT/pki holds the estate's CA (made by `cdr local init`, or on first use
// in a cloud made before), and each agent and shadow host gets a fresh key and certificate in its own tls/
// directory every time its process starts (common/tls_context.h layout; keys 0600, never logged).
//
//   agent of host H            client certificate, URI cdr:server/H (a reverse agent on DR host D also
//                              cdr:server/<the server D stands in for>)
//   shadow host S              server certificate, IP 127.0.0.1, DNS localhost and S
//
// With the estate's `insecure = true` the processes get --insecure instead and no certificate.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::providers::local::internal {

inline std::filesystem::path PkiDir(const std::filesystem::path& root) { return root / "pki"; }

// Creates ROOT/pki/ca-cert.pem and ca-key.pem unless they exist.
Status EnsureCertificateAuthority(const std::filesystem::path& root);

// cdr-agent's transport flags: {"--tls-dir", DIR} with a certificate just issued into DIR, or {"--insecure"}.
Result<std::vector<std::string>> AgentTransportArgs(const std::filesystem::path& root,
                                                    const std::string& host_id,
                                                    const std::filesystem::path& tls_dir, bool insecure);
// cdr-shadow's transport flags, the same way.
Result<std::vector<std::string>> ShadowTransportArgs(const std::filesystem::path& root,
                                                     const std::string& shadow_id,
                                                     const std::filesystem::path& tls_dir, bool insecure);

}  // namespace cdr::providers::local::internal
