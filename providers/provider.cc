// The batch reads of provider.h as one read after another, for a provider that has no cheaper way.
#include "providers/provider.h"

namespace cdr::providers {
namespace {

template <typename T, typename Describe>
Result<std::vector<T>> EachOf(const std::vector<std::string>& ids, Describe describe) {
  std::vector<T> found;
  for (const std::string& id : ids) {
    Result<T> one = describe(id);
    if (one.ok()) {
      found.push_back(std::move(*one));
    } else if (one.status().code() != StatusCode::kNotFound) {
      return one.status();
    }
  }
  return found;
}

}  // namespace

Result<std::vector<HostFacts>> Provider::DescribeHosts(const std::vector<std::string>& ids) {
  return EachOf<HostFacts>(ids, [this](const std::string& id) { return DescribeHost(id); });
}

Result<std::vector<Agent>> Provider::DescribeAgents(const std::vector<std::string>& host_ids) {
  return EachOf<Agent>(host_ids, [this](const std::string& id) { return DescribeAgent(id); });
}

Result<std::vector<ShadowHost>> Provider::DescribeShadowHosts(const std::vector<std::string>& ids) {
  return EachOf<ShadowHost>(ids, [this](const std::string& id) { return DescribeShadowHost(id); });
}

}  // namespace cdr::providers
