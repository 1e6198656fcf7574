// The TLS settings both ends of the replication stream share (and any other cdr listener that speaks TLS):
// TLS 1.3 only, AES-GCM first (hardware), the peer's certificate always required and verified against the
// estate's CA, and each side checks that the other's certificate is for its role (extended key usage:
// cdr-shadow accepts only client certificates, cdr-agent only server certificates).
//
// Files follow the layout of libnbd, nbdkit and qemu (--tls-dir DIR):
//   DIR/ca-cert.pem                                  the estate's CA
//   DIR/ca-crl.pem                                   its revocations, when any (common/tls_revocation.h)
//   DIR/server-cert.pem, DIR/server-key.pem          a listener (cdr-shadow)
//   DIR/client-cert.pem, DIR/client-key.pem          a connecting side (cdr-agent, cdr itself)
// A key file readable by group or others is refused: keys are 0600.
#pragma once

#include <filesystem>
#include <memory>

#include "common/status.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace cdr {

enum class TlsRole { kServer, kClient };

struct TlsFiles {
  std::filesystem::path ca_cert;
  std::filesystem::path cert;
  std::filesystem::path key;
};
TlsFiles TlsFilesIn(const std::filesystem::path& dir, TlsRole role);

class TlsContext {
 public:
  // kFailedPrecondition naming the file when one is missing, unreadable, of the wrong kind, or a key file is
  // not private; the message never holds key material.
  static Result<std::shared_ptr<const TlsContext>> Load(const TlsFiles& files, TlsRole role);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return ctx_; }
  TlsRole role() const { return role_; }
  // The revocation list consulted on every handshake: ca-crl.pem beside the CA certificate.
  const std::filesystem::path& crl_file() const { return crl_file_; }

 private:
  TlsContext(SSL_CTX* ctx, TlsRole role) : ctx_(ctx), role_(role) {}
  SSL_CTX* const ctx_;
  const TlsRole role_;
  std::filesystem::path crl_file_;
};

// The estate's TLS rules, certificate, key and trusted CA of `from` on a context another library made
// (cpprest's HTTPS: boost::asio::ssl::context's native handle). Any CA store set before (a library's default
// paths) is replaced: only the estate's CA is trusted.
Status CopyTlsSettings(const TlsContext& from, SSL_CTX* to);

// The queued OpenSSL errors as one line (and clears them); `fallback` when there are none.
std::string TakeOpenSslErrors(const std::string& fallback);

}  // namespace cdr
