// A ResourceProvider made of resource types, each one schema plus its handlers: adding a kind is adding one
// ResourceTypeDef. The registry does what is the same for every type: it refuses an unknown type, a call the
// type does not support and a config its schema rejects, it makes Delete of a gone resource kNotFound (a
// handler may treat deleting a missing resource as done), and it answers List(type, {"ids": [...]}) of every
// type that can be read with those of the ids that exist (one request for a refresh's hundreds of reads). A
// handler that throws fails only its call (kInternal).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "providers/resource_provider.h"

namespace cdr::providers {

struct ResourceTypeHandlers {
  std::function<Result<Json>(const std::string& client_token, const Json& config)> create;
  std::function<Result<Json>(const std::string& id)> read;
  std::function<Result<Json>(const Json& filter)> list;
  std::function<Status(const std::string& id)> remove;
  std::map<std::string, std::function<Result<Json>(const std::string& id, const Json& args)>> operations;
};

// schema.calls and schema.operations are filled from which handlers are set.
struct ResourceTypeDef {
  TypeSchema schema;
  ResourceTypeHandlers handlers;
};

class ResourceTypeRegistry : public ResourceProvider {
 public:
  ResourceTypeRegistry(std::string name, std::vector<ResourceTypeDef> types);

  std::string Name() const override { return name_; }
  Result<ProviderSchema> Schema() override { return schema_; }
  Status Validate(const std::string& type, const Json& config) override;
  Result<Json> Create(const std::string& type, const std::string& client_token, const Json& config) override;
  Result<Json> Read(const std::string& type, const std::string& id) override;
  Result<Json> List(const std::string& type, const Json& filter) override;
  Status Delete(const std::string& type, const std::string& id) override;
  Result<Json> Invoke(const std::string& type, const std::string& id, const std::string& operation,
                      const Json& args) override;

 private:
  // The type's handlers when it exists and supports `call`; the refusal naming what it does support
  // otherwise.
  Result<const ResourceTypeHandlers*> Handlers(const std::string& type, ResourceCall call) const;
  Result<const ResourceTypeHandlers*> Handlers(const std::string& type) const;
  Result<Json> ListByIds(const std::string& type, const ResourceTypeHandlers& handlers, const Json& filter);

  std::string name_;
  ProviderSchema schema_;
  std::map<std::string, ResourceTypeHandlers, std::less<>> handlers_;
};

}  // namespace cdr::providers
