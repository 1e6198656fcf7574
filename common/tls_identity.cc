#include "common/tls_identity.h"

#include <openssl/x509v3.h>

#include <algorithm>

namespace cdr {

std::string ServerIdentityUri(const std::string& server_id) { return "cdr:server/" + server_id; }

std::string DiskIdentityUri(const std::string& server_id, const std::string& disk) {
  return ServerIdentityUri(server_id) + "/disk/" + disk;
}

std::vector<std::string> CertificateUris(X509* certificate) {
  std::vector<std::string> uris;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return uris;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      static_cast<size_t>(ASN1_STRING_length(uri)));
  }
  GENERAL_NAMES_free(names);
  return uris;
}

bool IdentityGrants(const std::vector<std::string>& uris, const std::string& server_id,
                    const std::string& disk) {
  const std::string server = ServerIdentityUri(server_id);
  const std::string one_disk = DiskIdentityUri(server_id, disk);
  return std::any_of(uris.begin(), uris.end(),
                     [&](const std::string& uri) { return uri == server || uri == one_disk; });
}

}  // namespace cdr
