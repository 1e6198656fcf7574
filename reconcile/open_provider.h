// Turns the spec's [provider] block into the typed Provider the reconciler calls. Every provider is reached
// the same way, whether it runs in process or as a program of its own:
//
//   ResourceFacade (typed) ──► LoggingProvider ──► local: the registry of the local cloud's types
//                                                  http: HttpResourceProvider ══► a provider program
#pragma once

#include <memory>

#include "common/status.h"
#include "providers/provider.h"
#include "providers/resource_provider.h"
#include "specs/spec.h"

namespace cdr::reconcile {

// The generic provider the spec names, wrapped in the logging decorator.
Result<std::unique_ptr<providers::ResourceProvider>> OpenResourceProvider(const specs::ProviderSpec& spec);
// OpenResourceProvider behind the typed façade.
Result<std::unique_ptr<providers::Provider>> OpenProvider(const specs::ProviderSpec& spec);

}  // namespace cdr::reconcile
