// What a provider says about its resource types (GET /v1/schema in docs/provider-protocol.md): for each type
// its configuration attributes, the calls it supports and its named operations. The schema is what checks a
// config before anything is sent to the cloud (ValidateConfig), on both sides of the protocol.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace cdr::providers {

enum class AttributeType { kString, kInteger, kBoolean, kObject, kList };
std::string_view AttributeTypeName(AttributeType type);
std::optional<AttributeType> ParseAttributeType(std::string_view name);

// The generic calls of resource_provider.h that a type may support (Validate and Invoke are always there).
enum class ResourceCall { kCreate, kRead, kList, kDelete };
std::string_view ResourceCallName(ResourceCall call);
std::optional<ResourceCall> ParseResourceCall(std::string_view name);

struct Attribute {
  std::string name;
  AttributeType type = AttributeType::kString;
  bool required = false;
};

struct TypeSchema {
  std::string name;                     // "peering"
  std::vector<Attribute> config;        // what Create takes (the client token travels beside it)
  std::vector<ResourceCall> calls;      // what the type supports
  std::vector<std::string> operations;  // Invoke's names: "upgrade", "detach", …
  bool Supports(ResourceCall call) const;
  bool HasOperation(std::string_view operation) const;
};

inline constexpr int kProtocolVersion = 1;

struct ProviderSchema {
  int protocol_version = kProtocolVersion;
  std::string provider;  // the provider's name: "local"
  std::vector<TypeSchema> types;
  const TypeSchema* Find(std::string_view type) const;
  std::string TypeNames() const;  // "agent, dr_host, …" for messages
};

nlohmann::json ToJson(const ProviderSchema& schema);
// kInvalidArgument saying what is malformed.
Result<ProviderSchema> ProviderSchemaFromJson(const nlohmann::json& json);

// Every problem of `config` against `type` at once: not an object, a required attribute missing or empty, an
// attribute of the wrong JSON type, an attribute the type does not have. Ok when there is none.
Status ValidateConfig(const TypeSchema& type, const nlohmann::json& config);

}  // namespace cdr::providers
