#include "reconcile/open_provider.h"

#include "providers/http/http_resource_provider.h"
#include "providers/http/token_file.h"
#include "providers/local/local_resources.h"
#include "providers/logging_provider.h"
#include "specs/provider_type.h"

namespace cdr::reconcile {
namespace {

// A provider program: the generic protocol's client.
Result<std::unique_ptr<providers::ResourceProvider>> OpenHttpProvider(const specs::ProviderSpec& spec) {
  auto token = providers::http::ReadTokenFile(spec.token_file);
  if (!token.ok()) return Status(token.status().code(), "[provider] token_file: " + token.status().message());
  auto http = providers::http::HttpResourceProvider::Open({spec.url, *token, spec.tls_dir});
  if (!http.ok()) return http.status();
  return std::unique_ptr<providers::ResourceProvider>(std::move(*http));
}

Result<std::unique_ptr<providers::ResourceProvider>> OpenLocalCloud(const specs::ProviderSpec& spec) {
  auto local = providers::local::OpenLocalResources(spec.root, spec.insecure);
  if (!local.ok()) return local.status();
  return std::unique_ptr<providers::ResourceProvider>(std::move(*local));
}

}  // namespace

Result<std::unique_ptr<providers::ResourceProvider>> OpenProvider(const specs::ProviderSpec& spec) {
  Result<std::unique_ptr<providers::ResourceProvider>> opened =
      spec.type == specs::ProviderType::kHttp ? OpenHttpProvider(spec) : OpenLocalCloud(spec);
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<providers::ResourceProvider>(
      std::make_unique<providers::LoggingProvider>(std::move(*opened)));
}

}  // namespace cdr::reconcile
