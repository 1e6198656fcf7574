// Building blocks for a resource type implemented in C++ over a typed request and a typed resource (the
// structs of providers/types/*.h with their JSON form): the type's schema from its request struct,
// and handlers that read the config or arguments into the struct, call the implementation and answer with the
// result's JSON. The local cloud's types (providers/local/*_type.cc) are written with them; a provider in C++
// for another cloud may use them too.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "providers/resource_type_registry.h"
#include "providers/resource_types.h"
#include "providers/typed_calls.h"

namespace cdr::providers {

// The attributes of a request struct: its JSON form's fields with their JSON types (strings unless the
// default value says otherwise); the client token travels beside the config, not in it.
template <typename Request>
TypeSchema SchemaOf(ResourceType type, const std::set<std::string>& required) {
  auto type_of = [](const Json& value) {
    if (value.is_number_integer()) return AttributeType::kInteger;
    if (value.is_boolean()) return AttributeType::kBoolean;
    if (value.is_object()) return AttributeType::kObject;
    if (value.is_array()) return AttributeType::kList;
    return AttributeType::kString;
  };
  TypeSchema schema;
  schema.name = std::string(TypeName(type));
  const Json example = Request{};
  for (const auto& [name, value] : example.items()) {
    if (name == "client_token") continue;
    schema.config.push_back({name, type_of(value), required.count(name) > 0});
  }
  return schema;
}

// The typed call's result as JSON (a Status alone becomes an empty object).
template <typename T>
Result<Json> AsJson(Result<T> result) {
  if (!result.ok()) return result.status();
  return Json(*result);
}
inline Result<Json> AsJson(const Status& status) {
  if (!status.ok()) return status;
  return Json::object();
}

// create(token, config) → call(Request), the token put into the request when it has a client_token field.
template <typename Request, typename Call>
auto Creator(Call call) {
  return [call](const std::string& token, const Json& config) -> Result<Json> {
    Json with_token = config;
    if (Json(Request{}).contains("client_token")) with_token["client_token"] = token;
    Result<Request> request = FromJson<Request>(with_token, "configuration");
    if (!request.ok()) return request.status();
    return AsJson(call(*request));
  };
}

// An operation's arguments as a request struct whose `id_field` is the resource's id.
template <typename Request, typename Call>
auto OperationOn(const char* id_field, Call call) {
  return [id_field, call](const std::string& id, const Json& args) -> Result<Json> {
    Json with_id = args;
    with_id[id_field] = id;
    Result<Request> request = FromJson<Request>(with_id, "arguments");
    if (!request.ok()) return request.status();
    return AsJson(call(*request));
  };
}

}  // namespace cdr::providers
