#include "reconcile/open_provider.h"

#include "providers/local/local_provider.h"
#include "providers/logging_provider.h"

namespace cdr::reconcile {

Result<std::unique_ptr<providers::Provider>> OpenProvider(const specs::ProviderSpec& spec) {
  if (spec.type != "local") return InvalidArgument("provider type `" + spec.type + "` is not supported");
  auto local = providers::local::LocalProvider::Open(spec.root, spec.insecure);
  if (!local.ok()) return local.status();
  std::unique_ptr<providers::Provider> wrapped =
      std::make_unique<providers::LoggingProvider>(std::move(local.value()));
  return wrapped;
}

}  // namespace cdr::reconcile
