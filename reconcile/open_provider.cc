#include "reconcile/open_provider.h"

#include "providers/http/http_resource_provider.h"
#include "providers/http/token_file.h"
#include "providers/local/local_provider.h"
#include "providers/logging_provider.h"
#include "providers/resource_facade.h"

namespace cdr::reconcile {
namespace {

// A provider program: the generic protocol's client, behind the typed façade the reconciler calls.
Result<std::unique_ptr<providers::Provider>> OpenHttpProvider(const specs::ProviderSpec& spec) {
  auto token = providers::http::ReadTokenFile(spec.token_file);
  if (!token.ok()) return Status(token.status().code(), "[provider] token_file: " + token.status().message());
  auto http = providers::http::HttpResourceProvider::Open({spec.url, *token, spec.tls_dir});
  if (!http.ok()) return http.status();
  return std::unique_ptr<providers::Provider>(std::make_unique<providers::ResourceFacade>(std::move(*http)));
}

Result<std::unique_ptr<providers::Provider>> OpenLocalProvider(const specs::ProviderSpec& spec) {
  auto local = providers::local::LocalProvider::Open(spec.root, spec.insecure);
  if (!local.ok()) return local.status();
  return std::unique_ptr<providers::Provider>(std::move(*local));
}

}  // namespace

Result<std::unique_ptr<providers::Provider>> OpenProvider(const specs::ProviderSpec& spec) {
  Result<std::unique_ptr<providers::Provider>> opened =
      spec.type == specs::ProviderType::kHttp ? OpenHttpProvider(spec) : OpenLocalProvider(spec);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<providers::Provider> wrapped =
      std::make_unique<providers::LoggingProvider>(std::move(*opened));
  return wrapped;
}

}  // namespace cdr::reconcile
