// A provider wrapper in the nbdkit-filter shape, at the generic level (resource_provider.h): it forwards
// every call to the provider it wraps and adds only logging, so an operator running with `cdr -v` sees each
// cloud change with its duration, whatever the provider (in process or a program over HTTP). Creates, deletes
// and operations are logged at debug; failures at info (the command reports them to the user itself), except
// a read's kNotFound, which is how the reconciler learns that a resource is gone and is logged at debug.
#pragma once

#include <memory>
#include <string>

#include "providers/resource_provider.h"

namespace cdr::providers {

class LoggingProvider : public ResourceProvider {
 public:
  explicit LoggingProvider(std::unique_ptr<ResourceProvider> next);

  std::string Name() const override { return next_->Name(); }
  Result<ProviderSchema> Schema() override { return next_->Schema(); }
  Status Validate(const std::string& type, const Json& config) override;
  Result<Json> Create(const std::string& type, const std::string& client_token, const Json& config) override;
  Result<Json> Read(const std::string& type, const std::string& id) override;
  Result<Json> List(const std::string& type, const Json& filter) override;
  Status Delete(const std::string& type, const std::string& id) override;
  Result<Json> Invoke(const std::string& type, const std::string& id, const std::string& operation,
                      const Json& args) override;

 private:
  std::unique_ptr<ResourceProvider> next_;
};

}  // namespace cdr::providers
