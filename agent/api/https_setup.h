// HTTPS for the agent's control API on cpprest: the callbacks cpprest calls with the boost::asio::ssl::context it
// makes for each connection (listener) or client. Both put the estate's TLS rules, certificate, key and CA on it
// (common/tls_context.h CopyTlsSettings, from a context loaded once at start); the listener also requires the
// client's certificate to name cdr itself (cdr:operator, common/tls_identity.h), so an agent's or a shadow
// host's certificate of the same CA cannot command an agent. The bearer token stays a second factor.
//
//   client cert ──chains to the estate's CA? ──names cdr:operator? ──► request ──bearer token? ──► served
//                   │ no: handshake fails      │ no: handshake fails                 │ no: 401
#pragma once

#include <cpprest/http_listener.h>

#include <functional>
#include <memory>

#include "common/tls_context.h"

namespace cdr::agent::api {

using SslSetup = std::function<void(boost::asio::ssl::context&)>;

// For http_listener_config::set_ssl_context_callback; `server` has role kServer.
SslSetup ListenerSslSetup(std::shared_ptr<const TlsContext> server);
// For http_client_config::set_ssl_context_callback; `client` has role kClient. cpprest checks that the
// agent's certificate names the address connected to.
SslSetup ClientSslSetup(std::shared_ptr<const TlsContext> client);

}  // namespace cdr::agent::api
