// What every resource type's typed helpers (providers/types/*.h) do around one generic call: read a JSON
// answer into the type's struct (a provider that answers with the wrong shape is kInternal), turn a request
// struct into a create's config, treat deleting a gone resource as done, and read many resources of a type by
// ids in as few calls as the provider allows. Generic: nothing here names a resource type.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "providers/resource_provider.h"
#include "providers/resource_types.h"

namespace cdr::providers {

// `json` as a T; kInvalidArgument naming `what` when a field has the wrong JSON type.
template <typename T>
Result<T> FromJson(const Json& json, const std::string& what) {
  try {
    return json.get<T>();
  } catch (const Json::exception& e) {
    return InvalidArgument(what + ": " + e.what());
  }
}

// A generic answer as the typed struct.
template <typename T>
Result<T> As(Result<Json> json, const std::string& what) {
  if (!json.ok()) return json.status();
  Result<T> typed = FromJson<T>(*json, what);
  if (!typed.ok()) return Internal("the provider answered with a malformed " + typed.status().message());
  return typed;
}

// A request struct as a create's config: its JSON form without the client token, which travels beside it.
template <typename Request>
Json ConfigOf(const Request& request) {
  Json config = request;
  config.erase("client_token");
  return config;
}

// The generic Delete says kNotFound for a gone resource; the reconciler treats that as done.
inline Status Deleted(const Status& status) {
  return status.code() == StatusCode::kNotFound ? Status::Ok() : status;
}

inline std::string Type(ResourceType type) { return std::string(TypeName(type)); }
inline std::string Op(Operation op) { return std::string(OperationName(op)); }

// A list request's ids stay far below the protocol's 1 MiB request body.
inline constexpr size_t kMaxIdsPerList = 1000;

// Those of `ids` that exist, in no particular order; one that does not is left out, never kNotFound. One List
// with the filter {"ids": [...]} per kMaxIdsPerList ids when the provider's schema says the type can be
// listed (over HTTP: one request instead of a read each), a Read each otherwise. `id` is the struct's key
// field.
template <typename T>
Result<std::vector<T>> ReadMany(ResourceProvider& provider, ResourceType type,
                                const std::vector<std::string>& ids, std::string T::*id,
                                const std::string& what) {
  std::vector<T> found;
  // A schema that cannot be read lists nothing: one resource is read at a time.
  Result<ProviderSchema> schema = provider.Schema();
  const TypeSchema* listed = schema.ok() ? schema->Find(TypeName(type)) : nullptr;
  if (!listed || !listed->Supports(ResourceCall::kList)) {
    for (const std::string& one : ids) {
      Result<T> read = As<T>(provider.Read(Type(type), one), what);
      if (read.ok()) {
        found.push_back(std::move(*read));
      } else if (read.status().code() != StatusCode::kNotFound) {
        return read.status();
      }
    }
    return found;
  }
  // A provider that ignores the filter answers with more: only the ids asked are kept.
  const std::set<std::string> asked(ids.begin(), ids.end());
  for (size_t at = 0; at < ids.size(); at += kMaxIdsPerList) {
    const size_t end = std::min(ids.size(), at + kMaxIdsPerList);
    const Json filter = {{"ids", std::vector<std::string>(ids.begin() + at, ids.begin() + end)}};
    Result<std::vector<T>> slice = As<std::vector<T>>(provider.List(Type(type), filter), what + " list");
    if (!slice.ok()) return slice.status();
    for (T& resource : *slice)
      if (asked.count(resource.*id)) found.push_back(std::move(resource));
  }
  return found;
}

}  // namespace cdr::providers
