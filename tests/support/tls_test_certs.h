// Certificates for tests of cdr's TLS listeners: the estate's CA, another CA, a listener's certificate for
// 127.0.0.1, and client directories in the layout libnbd, qemu and cdr read (common/tls_context.h):
//   server/          ca-cert.pem + server-cert.pem + server-key.pem (the estate's CA)
//   client/          ca-cert.pem + client-cert.pem + client-key.pem (the estate's CA), naming cdr:operator
//   agent-client/    the estate's CA, a client certificate naming cdr:server/web-1 (an agent's, not cdr's)
//   rogue-client/    a client certificate another CA signed, trusting the estate's CA (only the server can refuse)
//   foreign-client/  a client certificate of another CA that also trusts only that CA (refuses the server)
//   no-client-cert/  the estate's ca-cert.pem alone (the client sends no certificate)
#pragma once

#include <filesystem>

#include "common/tls_issuer.h"

namespace cdr::testing {

struct TestCertificates {
  std::filesystem::path server;
  std::filesystem::path client;
  std::filesystem::path agent_client;
  std::filesystem::path rogue_client;
  std::filesystem::path foreign_client;
  std::filesystem::path no_client_cert;
};

// Creates them all under dir; a failed step fails the calling test (check HasFatalFailure()).
TestCertificates MakeTestCertificates(const std::filesystem::path& dir);

}  // namespace cdr::testing
