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
// out_dir/<server|client>-cert.pem and out_dir/<server|client>-key.pem (0600), replacing earlier ones.
Status IssueCertificate(const std::filesystem::path& ca_dir, const CertificateRequest& request,
                        const std::filesystem::path& out_dir);

}  // namespace cdr
