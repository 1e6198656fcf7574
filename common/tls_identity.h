// Who a certificate lets in: cdr names what an agent may replicate in URIs of the certificate's
// subjectAltName, so the shadow host can tell which server's disks a verified peer may write.
//
//   cdr:server/<server id>                 every disk of that protected server
//   cdr:server/<server id>/disk/<disk>     that one disk
//   cdr:operator                           cdr itself (the reconciler): may call an agent's control API
//
// Ids follow common/name_rules.h (no '/'), so a URI cannot be read two ways. Epochs grant nothing.
#pragma once

#include <string>
#include <vector>

typedef struct x509_st X509;

namespace cdr {

inline constexpr char kOperatorIdentityUri[] = "cdr:operator";

std::string ServerIdentityUri(const std::string& server_id);
std::string DiskIdentityUri(const std::string& server_id, const std::string& disk);

// The URI entries of the certificate's subjectAltName, in order.
std::vector<std::string> CertificateUris(X509* certificate);

// true when one of `uris` grants writing disk `disk` of server `server_id`.
bool IdentityGrants(const std::vector<std::string>& uris, const std::string& server_id,
                    const std::string& disk);

}  // namespace cdr
