// `cdr provider serve` and `cdr provider test`: the provider protocol (docs/provider-protocol.md) from the
// command line. Declared apart from commands.h like the `cdr local` process verbs.
#pragma once

#include <string>

namespace cdr::cmd {

struct ProviderServeOptions {
  std::string provider = "local";                  // what to serve: only the embedded local cloud
  std::string listen = "127.0.0.1:7070";           // HOST:PORT (an IPv4 address)
  std::string token_file = ".cdr/provider-token";  // made 0600 with a fresh token when absent
  std::string tls_dir;                             // HTTPS with server-cert.pem, server-key.pem, ca-cert.pem
  std::string root = ".cdr/cloud";                 // the local cloud
  bool insecure = false;  // the agents and shadow hosts it starts replicate over plain TCP
  int max_in_flight = 64;  // requests served at once; more are refused with 503 and Retry-After
};
int RunProviderServe(const ProviderServeOptions& o);

struct ProviderTestOptions {
  std::string url;
  std::string token_file;
  std::string tls_dir;  // https: cdr's client certificate and the CA
  int timeout_seconds = 10;
  std::string vpc = "vpc-conformance";
  std::string production_zone = "az1";
  std::string dr_zone = "az2";
};
int RunProviderTest(const ProviderTestOptions& o);

}  // namespace cdr::cmd
