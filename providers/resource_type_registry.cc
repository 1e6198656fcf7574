#include "providers/resource_type_registry.h"

#include <exception>

namespace cdr::providers {
namespace {

// A handler's exception (a JSON field of the wrong type deep in a conversion) fails the call, not the
// process.
template <typename Call>
auto Guarded(const std::string& what, Call&& call) -> decltype(call()) {
  try {
    return call();
  } catch (const std::exception& e) {
    return Internal(what + " failed: " + e.what());
  }
}

std::string CallNames(const TypeSchema& type) {
  std::string names;
  for (ResourceCall call : type.calls)
    names += (names.empty() ? "" : ", ") + std::string(ResourceCallName(call));
  return names.empty() ? "none" : names;
}

}  // namespace

ResourceTypeRegistry::ResourceTypeRegistry(std::string name, std::vector<ResourceTypeDef> types)
    : name_(std::move(name)) {
  schema_.provider = name_;
  for (ResourceTypeDef& def : types) {
    TypeSchema& schema = def.schema;
    const ResourceTypeHandlers& h = def.handlers;
    schema.calls.clear();
    if (h.create) schema.calls.push_back(ResourceCall::kCreate);
    if (h.read) schema.calls.push_back(ResourceCall::kRead);
    // A type that can be read can be listed by ids (ListByIds).
    if (h.list || h.read) schema.calls.push_back(ResourceCall::kList);
    if (h.remove) schema.calls.push_back(ResourceCall::kDelete);
    schema.operations.clear();
    for (const auto& [op, unused] : h.operations) schema.operations.push_back(op);
    handlers_[schema.name] = std::move(def.handlers);
    schema_.types.push_back(std::move(schema));
  }
}

Result<const ResourceTypeHandlers*> ResourceTypeRegistry::Handlers(const std::string& type) const {
  auto it = handlers_.find(type);
  if (it == handlers_.end()) {
    return InvalidArgument("unknown resource type \"" + type + "\"; provider " + name_ +
                           " has: " + schema_.TypeNames());
  }
  return &it->second;
}

Result<const ResourceTypeHandlers*> ResourceTypeRegistry::Handlers(const std::string& type,
                                                                   ResourceCall call) const {
  auto handlers = Handlers(type);
  if (!handlers.ok()) return handlers;
  const TypeSchema& schema = *schema_.Find(type);
  if (!schema.Supports(call)) {
    return InvalidArgument("resource type " + type + " does not support " +
                           std::string(ResourceCallName(call)) + "; it supports: " + CallNames(schema));
  }
  return handlers;
}

Status ResourceTypeRegistry::Validate(const std::string& type, const Json& config) {
  CDR_RETURN_IF_ERROR(Handlers(type).status());
  return ValidateConfig(*schema_.Find(type), config);
}

Result<Json> ResourceTypeRegistry::Create(const std::string& type, const std::string& client_token,
                                          const Json& config) {
  auto h = Handlers(type, ResourceCall::kCreate);
  if (!h.ok()) return h.status();
  CDR_RETURN_IF_ERROR(ValidateConfig(*schema_.Find(type), config));
  return Guarded("create " + type, [&] { return (*h)->create(client_token, config); });
}

Result<Json> ResourceTypeRegistry::Read(const std::string& type, const std::string& id) {
  auto h = Handlers(type, ResourceCall::kRead);
  if (!h.ok()) return h.status();
  return Guarded("read " + type + " " + id, [&] { return (*h)->read(id); });
}

Result<Json> ResourceTypeRegistry::List(const std::string& type, const Json& filter) {
  auto h = Handlers(type, ResourceCall::kList);
  if (!h.ok()) return h.status();
  if (!filter.is_object()) return InvalidArgument("list " + type + ": the filter must be a JSON object");
  if (filter.contains("ids")) return ListByIds(type, **h, filter);
  if (!(*h)->list) {
    return InvalidArgument("resource type " + type +
                           " is listed only by ids: give the filter {\"ids\": [ID, ...]}");
  }
  return Guarded("list " + type, [&] { return (*h)->list(filter); });
}

Result<Json> ResourceTypeRegistry::ListByIds(const std::string& type, const ResourceTypeHandlers& handlers,
                                             const Json& filter) {
  const Json& ids = filter["ids"];
  if (filter.size() != 1 || !ids.is_array()) {
    return InvalidArgument("list " + type +
                           ": the filter {\"ids\": [...]} is a list of ids and takes no other field");
  }
  if (!handlers.read)
    return InvalidArgument("resource type " + type + " cannot be read, so not listed by ids");
  Json found = Json::array();
  for (const Json& id : ids) {
    if (!id.is_string()) return InvalidArgument("list " + type + ": every id of the filter must be a string");
    Result<Json> one = Read(type, id.get<std::string>());
    if (one.ok()) {
      found.push_back(std::move(*one));
    } else if (one.status().code() != StatusCode::kNotFound) {
      return one.status();
    }
  }
  return found;
}

Status ResourceTypeRegistry::Delete(const std::string& type, const std::string& id) {
  auto h = Handlers(type, ResourceCall::kDelete);
  if (!h.ok()) return h.status();
  // Only a resource that reads as gone is NotFound; one that cannot be read (a damaged record) is still deleted.
  if ((*h)->read) {
    Result<Json> existing = Read(type, id);
    if (existing.status().code() == StatusCode::kNotFound) return existing.status();
  }
  return Guarded("delete " + type + " " + id, [&] { return (*h)->remove(id); });
}

Result<Json> ResourceTypeRegistry::Invoke(const std::string& type, const std::string& id,
                                          const std::string& operation, const Json& args) {
  auto h = Handlers(type);
  if (!h.ok()) return h.status();
  auto op = (*h)->operations.find(operation);
  if (op == (*h)->operations.end()) {
    std::string known;
    for (const auto& [name, unused] : (*h)->operations) known += (known.empty() ? "" : ", ") + name;
    return InvalidArgument("resource type " + type + " has no operation \"" + operation +
                           "\"; it has: " + (known.empty() ? "none" : known));
  }
  if (!args.is_object()) return InvalidArgument(operation + ": the arguments must be a JSON object");
  return Guarded(operation + " " + type + " " + id, [&] { return op->second(id, args); });
}

}  // namespace cdr::providers
