// Turns the spec's [provider] block into the generic provider the reconciler calls, through the typed calls
// of each resource type (providers/types/*.h). Every provider is reached the same way, whether it runs in
// process or as a program of its own:
//
//   types::ReadPeering(provider, id), … ──► LoggingProvider ──► local: the registry of the local cloud's
//   types
//                                                               http: HttpResourceProvider ══► a program
#pragma once

#include <memory>

#include "common/status.h"
#include "providers/resource_provider.h"
#include "specs/spec.h"

namespace cdr::reconcile {

// The generic provider the spec names, wrapped in the logging decorator.
Result<std::unique_ptr<providers::ResourceProvider>> OpenProvider(const specs::ProviderSpec& spec);

}  // namespace cdr::reconcile
