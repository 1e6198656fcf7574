// The provider protocol's request handling, independent of the HTTP library: routing, the schema checks that
// give the protocol's named errors (unknown type, unsupported call, unknown operation), JSON bodies, and each
// Status as its error code. provider_server.cc only moves requests and replies between cpprest and this; the
// token and the body's size are checked there, before the body is read.
#pragma once

#include <string>
#include <vector>

#include "providers/resource_provider.h"

namespace cdr::providers::http {

struct RouterReply {
  int status = 200;
  std::string body;  // JSON
};

class ProviderRouter {
 public:
  // `provider` must outlive the router; its schema is read once, here.
  explicit ProviderRouter(ResourceProvider* provider);

  // path: the decoded segments ("v1", "resources", "peering", "pcx-1"). Safe to call from several threads at
  // once if the provider is.
  RouterReply Handle(const std::string& method, const std::vector<std::string>& path,
                     const std::string& body) const;

 private:
  RouterReply Schema() const;
  RouterReply Resources(const std::string& method, const std::vector<std::string>& path,
                        const nlohmann::json& body) const;

  ResourceProvider* provider_;
  Result<ProviderSchema> schema_;
};

}  // namespace cdr::providers::http
