// Certificates for tests of cdr's TLS listeners: the estate's CA, another CA, a listener's certificate for
// 127.0.0.1, and client directories in the layout libnbd, qemu and cdr read (common/tls_context.h):
//   server/          ca-cert.pem + server-cert.pem + server-key.pem (the estate's CA)
//   client/          ca-cert.pem + client-cert.pem + client-key.pem (the estate's CA)
//   rogue-client/    a client certificate another CA signed, trusting the estate's CA (only the server can refuse)
//   no-client-cert/  the estate's ca-cert.pem alone (the client sends no certificate)
#pragma once

#include <filesystem>

#include "common/tls_issuer.h"

namespace cdr::testing {

struct TestCertificates {
  std::filesystem::path server;
  std::filesystem::path client;
  std::filesystem::path rogue_client;
  std::filesystem::path no_client_cert;
};

// Creates them all under dir; a failed step fails the calling test (check HasFatalFailure()).
TestCertificates MakeTestCertificates(const std::filesystem::path& dir);

}  // namespace cdr::testing
