// The reconciler names the state's resource kinds (state/resource_kind.h, their one table) unqualified.
#pragma once

#include "state/resource_kind.h"

namespace cdr::reconcile {

using state::ParseResourceKind;
using state::ResourceKind;
using state::ResourceKindName;

}  // namespace cdr::reconcile
