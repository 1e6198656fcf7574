#include "agent/api/https_setup.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "common/tls_identity.h"

namespace cdr::agent::api {
namespace {

// OpenSSL's verify callback: the chain as OpenSSL judged it, and at the peer's own certificate (depth 0) the
// identity.
int RequireOperator(int chain_ok, X509_STORE_CTX* store) {
  if (chain_ok != 1 || X509_STORE_CTX_get_error_depth(store) != 0) return chain_ok;
  const std::vector<std::string> uris = CertificateUris(X509_STORE_CTX_get_current_cert(store));
  if (std::find(uris.begin(), uris.end(), kOperatorIdentityUri) != uris.end()) return 1;
  spdlog::warn("control API: refused a client certificate that does not name {}", kOperatorIdentityUri);
  X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

// cpprest calls these on its own threads and has no error path but an exception, which fails the connection.
void Copy(const TlsContext& from, boost::asio::ssl::context& to) {
  if (Status s = CopyTlsSettings(from, to.native_handle()); !s.ok()) throw std::runtime_error(s.ToString());
}

}  // namespace

SslSetup ListenerSslSetup(std::shared_ptr<const TlsContext> server) {
  return [server = std::move(server)](boost::asio::ssl::context& context) {
    Copy(*server, context);
    SSL_CTX_set_verify(context.native_handle(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       RequireOperator);
  };
}

SslSetup ClientSslSetup(std::shared_ptr<const TlsContext> client) {
  return [client = std::move(client)](boost::asio::ssl::context& context) { Copy(*client, context); };
}

}  // namespace cdr::agent::api
