// A small certificate authority for an estate that brings none (`cdr local init`, tests): an EC P-256 CA and
// certificates it signs for the estate's hosts, in the file layout of common/tls_context.h. Keys are written
// 0600 from their first byte and never logged; the CA key stays in the CA directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/tls_context.h"

namespace cdr {

struct CertificateRequest {
  std::string common_name;
  TlsRole role = TlsRole::kClient;  // extended key usage: serverAuth or clientAuth
  std::vector<std::string> uris;    // cdr:server/… (common/tls_identity.h)
  std::vector<std::string> ip_addresses;
  std::vector<std::string> dns_names;
  int valid_days = 825;
};

// Creates DIR/ca-cert.pem and DIR/ca-key.pem (0600). kAlreadyExists when DIR/ca-key.pem is there.
Status CreateCertificateAuthority(const std::filesystem::path& ca_dir, const std::string& name);

// A fresh key and a certificate the CA in ca_dir signs: out_dir/ca-cert.pem (a copy of the CA's),
// out_dir/<server|client>-cert.pem and out_dir/<server|client>-key.pem (0600), replacing earlier ones; and the
// CA's revocation list when it has one.
Status IssueCertificate(const std::filesystem::path& ca_dir, const CertificateRequest& request,
                        const std::filesystem::path& out_dir);

// Copies the CA's revocation list (if it has one) into dir, beside a copy of its certificate.
Status CopyRevocationList(const std::filesystem::path& ca_dir, const std::filesystem::path& dir);

// Adds the serial numbers of the given certificate files (each signed by the CA in ca_dir) to the CA's
// revocation list ca_dir/ca-crl.pem (common/tls_revocation.h), made when absent, re-signed, its lastUpdate always
// later than the one it replaces. Returns how many were not revoked before. kFailedPrecondition naming a file
// that is missing or that another CA signed.
Result<int> RevokeCertificates(const std::filesystem::path& ca_dir,
                               const std::vector<std::filesystem::path>& certificates);

}  // namespace cdr
