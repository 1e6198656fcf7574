// Certificate revocation for every cdr TLS end: the estate's CA publishes a certificate revocation list,
// ca-crl.pem beside ca-cert.pem (the file name libnbd, nbdkit and qemu use in a certificate directory), and a
// peer whose certificate is on it is refused in the handshake ("certificate verify failed: certificate
// revoked").
//
//   cdr local revoke HOST ──► RevokeCertificates (common/tls_issuer.h) ──► CA dir/ca-crl.pem
//        ──► copied beside every ca-cert.pem of the estate (and into each certificate issued later)
//   handshake ──► verify: ca-crl.pem new or changed since the last look? load it ──► chain check with the CRL
//
// The file is looked at on every handshake, so a running listener refuses a revoked peer from its next
// connection on, without a restart. Once a CRL was loaded every handshake checks one (X509_V_FLAG_CRL_CHECK);
// a CRL file that cannot be read or parsed fails the handshake (fail closed). Without a ca-crl.pem nothing
// is revoked. A connection made before the revocation lasts until it ends.
#pragma once

#include <filesystem>

typedef struct ssl_ctx_st SSL_CTX;

namespace cdr {

inline constexpr char kCrlFileName[] = "ca-crl.pem";

// Makes ctx's certificate verification consult `crl_file` (usually ca-crl.pem beside the CA certificate) as
// above. The state lives with ctx's certificate store, so contexts that share the store share it.
void CheckRevocations(SSL_CTX* ctx, const std::filesystem::path& crl_file);

}  // namespace cdr
