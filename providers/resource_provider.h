// The generic provider interface: a cloud as a set of resource types, each with a schema, and six calls keyed
// by the type's name (Terraform's providers.Interface). A new resource kind is one more type: its schema and
// its handlers (resource_type_registry.h), nothing else in this interface changes.
//
//   Schema()                      every type: its attributes and the calls it supports
//   Validate(type, config)        plan/validate a change: every problem of `config` at once, nothing touched
//   Create(type, token, config)   apply a create; the same client token again returns the first resource
//   Read(type, id)                the resource as the cloud has it now; kNotFound once it is gone
//   List(type, filter)            the resources of a type that match `filter`
//   Delete(type, id)              kNotFound when there is nothing to delete (deleting twice is safe to retry)
//   Invoke(type, id, op, args)    a named operation on one resource that is not a create or delete
//                                 (upgrade an agent, detach a DR host, take a recovery point)
//
// Resources, configs and arguments are JSON objects; their fields are the type's schema. Implementations: the
// registry of types (resource_type_registry.h) of which the local cloud is made (local/local_resources.h),
// the HTTP client of a provider that runs as its own program (http/http_resource_provider.h), and the logging
// decorator over either (logging_provider.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "providers/resource_schema.h"

namespace cdr::providers {

using Json = nlohmann::json;

class ResourceProvider {
 public:
  virtual ~ResourceProvider() = default;

  virtual std::string Name() const = 0;
  virtual Result<ProviderSchema> Schema() = 0;
  // kInvalidArgument listing every problem; kInvalidArgument naming the known types for an unknown type.
  virtual Status Validate(const std::string& type, const Json& config) = 0;
  virtual Result<Json> Create(const std::string& type, const std::string& client_token,
                              const Json& config) = 0;
  virtual Result<Json> Read(const std::string& type, const std::string& id) = 0;
  virtual Result<Json> List(const std::string& type, const Json& filter) = 0;  // a JSON array
  virtual Status Delete(const std::string& type, const std::string& id) = 0;
  virtual Result<Json> Invoke(const std::string& type, const std::string& id, const std::string& operation,
                              const Json& args) = 0;
};

}  // namespace cdr::providers
