// Turns the spec's [provider] block into a Provider, wrapped in the logging decorator.
#pragma once

#include <memory>

#include "common/status.h"
#include "providers/provider.h"
#include "specs/spec.h"

namespace cdr::reconcile {

Result<std::unique_ptr<providers::Provider>> OpenProvider(const specs::ProviderSpec& spec);

}  // namespace cdr::reconcile
