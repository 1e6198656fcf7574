#include "cmd/cmd_provider.h"

#include <signal.h>

#include <iostream>
#include <memory>

#include "agent/api/http_endpoint.h"
#include "cmd/cli_context.h"
#include "providers/http/conformance.h"
#include "providers/http/provider_server.h"
#include "providers/http/token_file.h"
#include "providers/local/local_resources.h"
#include "providers/logging_provider.h"
#include "specs/provider_type.h"

namespace cdr::cmd {

int RunProviderServe(const ProviderServeOptions& o) {
  if (specs::ParseProviderType(o.provider) != specs::ProviderType::kLocal) {
    std::cerr << "cdr provider serve: unknown provider \"" << o.provider
              << "\": only `local` can be served\n";
    return kExitError;
  }
  agent::api::HttpEndpointOptions address;
  if (Status s = agent::api::ParseListenAddress(o.listen, &address); !s.ok()) {
    std::cerr << "cdr provider serve: --listen: " << s.message() << "\n";
    return kExitError;
  }
  auto local = providers::local::OpenLocalResources(o.root, o.insecure);
  if (!local.ok()) {
    std::cerr << "cdr provider serve: " << local.status().ToString() << "\n";
    return kExitError;
  }
  std::error_code ec;
  const std::filesystem::path token_file(o.token_file);
  if (token_file.has_parent_path()) std::filesystem::create_directories(token_file.parent_path(), ec);
  Result<std::string> token = providers::http::LoadOrCreateTokenFile(token_file);
  if (!token.ok()) {
    std::cerr << "cdr provider serve: " << token.status().ToString() << "\n";
    return kExitError;
  }
  std::shared_ptr<const TlsContext> tls;
  if (!o.tls_dir.empty()) {
    auto loaded = TlsContext::Load(TlsFilesIn(o.tls_dir, TlsRole::kServer), TlsRole::kServer);
    if (!loaded.ok()) {
      std::cerr << "cdr provider serve: --tls-dir: " << loaded.status().ToString() << "\n";
      return kExitError;
    }
    tls = *loaded;
  }
  // Blocked before the listener starts its threads, so they inherit the mask and only sigwait sees the
  // signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  providers::LoggingProvider served(std::move(*local));
  providers::http::ProviderServer server({address.host, address.port, *token, tls, o.max_in_flight}, &served);
  if (Status s = server.Start(); !s.ok()) {
    std::cerr << "cdr provider serve: " << s.ToString() << "\n";
    return kExitError;
  }
  std::cout << "provider local (" << o.root << ") on " << (tls ? "https://" : "http://") << server.address()
            << "/v1/; the token is in " << token_file.string() << std::endl;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "stopping on signal " << signal_number << std::endl;
  server.Stop();
  return kExitOk;
}

int RunProviderTest(const ProviderTestOptions& o) {
  providers::http::ConformanceOptions options;
  options.url = o.url;
  options.tls_dir = o.tls_dir;
  options.deadline = std::chrono::seconds(o.timeout_seconds);
  options.vpc = o.vpc;
  options.production_zone = o.production_zone;
  options.dr_zone = o.dr_zone;
  if (!o.token_file.empty()) {
    Result<std::string> token = providers::http::ReadTokenFile(o.token_file);
    if (!token.ok()) {
      std::cerr << "cdr provider test: " << token.status().ToString() << "\n";
      return kExitError;
    }
    options.token = *token;
  }
  const std::vector<providers::http::RuleResult> results = providers::http::RunConformance(options);
  std::cout << "provider at " << o.url << "\n" << providers::http::RenderConformance(results);
  for (const auto& r : results)
    if (!r.passed) return kExitError;
  return kExitOk;
}

}  // namespace cdr::cmd
