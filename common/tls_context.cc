#include "common/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <string>

#include "common/tls_revocation.h"

namespace cdr {
namespace {

namespace fs = std::filesystem;

Status CheckReadable(const fs::path& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return FailedPrecondition(std::string(what) + " " + path.string() +
                              " is missing (cdr local init creates "
                              "the estate's certificates; --insecure runs without TLS)");
  }
  return Status::Ok();
}

Status CheckPrivate(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return FailedPrecondition("private key " + path.string() + " is readable by others (mode " + mode +
                              "): chmod 600 it");
  }
  return Status::Ok();
}

}  // namespace

std::string TakeOpenSslErrors(const std::string& fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? fallback : out;
}

TlsFiles TlsFilesIn(const fs::path& dir, TlsRole role) {
  const std::string prefix = role == TlsRole::kServer ? "server" : "client";
  return {dir / "ca-cert.pem", dir / (prefix + "-cert.pem"), dir / (prefix + "-key.pem")};
}

namespace {

// The rules every cdr TLS end follows, whoever made the context.
Status ApplyPolicy(SSL_CTX* ctx, TlsRole role) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  // AES-GCM runs on the CPU's AES instructions: the stream pays a few percent for encryption.
  if (SSL_CTX_set_ciphersuites(ctx,
                               "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:"
                               "TLS_CHACHA20_POLY1305_SHA256") != 1) {
    return FailedPrecondition("TLS cipher suites: " + TakeOpenSslErrors("?"));
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // The peer must hold a certificate for the other role: an agent's certificate cannot pose as a shadow host.
  SSL_CTX_set_purpose(ctx, role == TlsRole::kServer ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER);
  // Connections are long-lived: no session tickets (nothing to resume, and no post-handshake messages).
  SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const TlsContext>> TlsContext::Load(const TlsFiles& files, TlsRole role) {
  CDR_RETURN_IF_ERROR(CheckReadable(files.ca_cert, "CA certificate"));
  CDR_RETURN_IF_ERROR(CheckReadable(files.cert, "certificate"));
  CDR_RETURN_IF_ERROR(CheckReadable(files.key, "private key"));
  CDR_RETURN_IF_ERROR(CheckPrivate(files.key));
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(role == TlsRole::kServer ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) return Internal(TakeOpenSslErrors("SSL_CTX_new failed"));
  std::shared_ptr<TlsContext> context(new TlsContext(ctx, role));
  auto fail = [](const std::string& what) {
    return FailedPrecondition(what + ": " + TakeOpenSslErrors("?"));
  };
  CDR_RETURN_IF_ERROR(ApplyPolicy(ctx, role));
  if (SSL_CTX_load_verify_locations(ctx, files.ca_cert.c_str(), nullptr) != 1)
    return fail("CA certificate " + files.ca_cert.string());
  // Revocations are published beside the CA certificate (common/tls_revocation.h).
  context->crl_file_ = files.ca_cert.parent_path() / kCrlFileName;
  CheckRevocations(ctx, context->crl_file_);
  if (SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1)
    return fail("certificate " + files.cert.string());
  if (SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return fail("private key " + files.key.string());
  if (SSL_CTX_check_private_key(ctx) != 1)
    return fail("private key " + files.key.string() + " does not match " + files.cert.string());
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return std::shared_ptr<const TlsContext>(std::move(context));
}

Status CopyTlsSettings(const TlsContext& from, SSL_CTX* to) {
  ERR_clear_error();
  CDR_RETURN_IF_ERROR(ApplyPolicy(to, from.role()));
  // Only the estate's CA: the store the other library filled (its default paths) is replaced by ours.
  X509_STORE* store = SSL_CTX_get_cert_store(from.get());
  if (X509_STORE_up_ref(store) != 1) return Internal(TakeOpenSslErrors("X509_STORE_up_ref failed"));
  SSL_CTX_set_cert_store(to, store);
  // The other library's handshakes consult the revocation list too (its state lives with the shared store).
  CheckRevocations(to, from.crl_file());
  if (SSL_CTX_use_certificate(to, SSL_CTX_get0_certificate(from.get())) != 1 ||
      SSL_CTX_use_PrivateKey(to, SSL_CTX_get0_privatekey(from.get())) != 1) {
    return Internal(TakeOpenSslErrors("copying the certificate and key failed"));
  }
  return Status::Ok();
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

}  // namespace cdr
