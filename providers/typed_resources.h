// cdr's resource types (resource_types.h) served over a typed Provider: what `cdr provider serve local` puts
// on the wire. Each type is one ResourceTypeDef in typed_resources.cc: its schema (the attributes of its
// request struct, from the struct's JSON form, resource_json.h) and handlers that convert JSON to the typed
// call and back.
#pragma once

#include <memory>

#include "providers/provider.h"
#include "providers/resource_type_registry.h"

namespace cdr::providers {

std::unique_ptr<ResourceTypeRegistry> ServeTypedProvider(std::shared_ptr<Provider> provider);

}  // namespace cdr::providers
