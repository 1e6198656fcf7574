#include "providers/resource_schema.h"

#include <algorithm>
#include <array>
#include <utility>

namespace cdr::providers {
namespace {

using Json = nlohmann::json;

constexpr std::array<std::pair<AttributeType, std::string_view>, 5> kAttributeTypes = {{
    {AttributeType::kString, "string"},
    {AttributeType::kInteger, "integer"},
    {AttributeType::kBoolean, "boolean"},
    {AttributeType::kObject, "object"},
    {AttributeType::kList, "list"},
}};

constexpr std::array<std::pair<ResourceCall, std::string_view>, 4> kCalls = {{
    {ResourceCall::kCreate, "create"},
    {ResourceCall::kRead, "read"},
    {ResourceCall::kList, "list"},
    {ResourceCall::kDelete, "delete"},
}};

template <typename Enum, size_t N>
std::string_view NameIn(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> ParseIn(const std::array<std::pair<Enum, std::string_view>, N>& table,
                            std::string_view name) {
  for (const auto& [v, n] : table)
    if (n == name) return v;
  return std::nullopt;
}

bool HasJsonType(const Json& value, AttributeType type) {
  switch (type) {
    case AttributeType::kString:
      return value.is_string();
    case AttributeType::kInteger:
      return value.is_number_integer();
    case AttributeType::kBoolean:
      return value.is_boolean();
    case AttributeType::kObject:
      return value.is_object();
    case AttributeType::kList:
      return value.is_array();
  }
  return false;
}

bool IsEmpty(const Json& value) {
  return value.is_null() || (value.is_string() && value.get<std::string>().empty());
}

Json TypeToJson(const TypeSchema& type) {
  Json attributes = Json::object();
  for (const Attribute& a : type.config)
    attributes[a.name] = {{"type", AttributeTypeName(a.type)}, {"required", a.required}};
  Json calls = Json::array();
  for (ResourceCall call : type.calls) calls.push_back(ResourceCallName(call));
  return {{"config", attributes}, {"calls", calls}, {"operations", type.operations}};
}

Result<TypeSchema> TypeFromJson(const std::string& name, const Json& json) {
  const std::string where = "schema of type \"" + name + "\": ";
  if (!json.is_object() || !json.contains("config") || !json["config"].is_object() ||
      !json.contains("calls") || !json["calls"].is_array())
    return InvalidArgument(where + "needs a \"config\" object and a \"calls\" list");
  TypeSchema type;
  type.name = name;
  for (const auto& [attribute, spec] : json["config"].items()) {
    std::optional<AttributeType> t;
    if (spec.is_object() && spec.contains("type") && spec["type"].is_string())
      t = ParseAttributeType(spec["type"].get<std::string>());
    if (!t) return InvalidArgument(where + "attribute \"" + attribute + "\" has no known type");
    type.config.push_back({attribute, *t, spec.value("required", false)});
  }
  for (const Json& call : json["calls"]) {
    std::optional<ResourceCall> c =
        call.is_string() ? ParseResourceCall(call.get<std::string>()) : std::nullopt;
    if (!c) return InvalidArgument(where + "unknown call " + call.dump());
    type.calls.push_back(*c);
  }
  if (json.contains("operations")) {
    if (!json["operations"].is_array()) return InvalidArgument(where + "\"operations\" is not a list");
    for (const Json& op : json["operations"]) {
      if (!op.is_string()) return InvalidArgument(where + "an operation name is not a string");
      type.operations.push_back(op.get<std::string>());
    }
  }
  return type;
}

}  // namespace

std::string_view AttributeTypeName(AttributeType type) { return NameIn(kAttributeTypes, type); }
std::optional<AttributeType> ParseAttributeType(std::string_view name) {
  return ParseIn(kAttributeTypes, name);
}
std::string_view ResourceCallName(ResourceCall call) { return NameIn(kCalls, call); }
std::optional<ResourceCall> ParseResourceCall(std::string_view name) { return ParseIn(kCalls, name); }

bool TypeSchema::Supports(ResourceCall call) const {
  return std::find(calls.begin(), calls.end(), call) != calls.end();
}

bool TypeSchema::HasOperation(std::string_view operation) const {
  return std::find(operations.begin(), operations.end(), operation) != operations.end();
}

const TypeSchema* ProviderSchema::Find(std::string_view type) const {
  for (const TypeSchema& t : types)
    if (t.name == type) return &t;
  return nullptr;
}

std::string ProviderSchema::TypeNames() const {
  std::string names;
  for (const TypeSchema& t : types) names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

Json ToJson(const ProviderSchema& schema) {
  Json types = Json::object();
  for (const TypeSchema& t : schema.types) types[t.name] = TypeToJson(t);
  return {{"protocol_version", schema.protocol_version}, {"provider", schema.provider}, {"types", types}};
}

Result<ProviderSchema> ProviderSchemaFromJson(const Json& json) {
  if (!json.is_object() || !json.contains("protocol_version") ||
      !json["protocol_version"].is_number_integer() || !json.contains("types") || !json["types"].is_object())
    return InvalidArgument("a schema needs an integer \"protocol_version\" and a \"types\" object");
  ProviderSchema schema;
  schema.protocol_version = json["protocol_version"].get<int>();
  if (json.contains("provider") && json["provider"].is_string()) schema.provider = json["provider"];
  for (const auto& [name, type] : json["types"].items()) {
    Result<TypeSchema> parsed = TypeFromJson(name, type);
    if (!parsed.ok()) return parsed.status();
    schema.types.push_back(std::move(*parsed));
  }
  return schema;
}

Status ValidateConfig(const TypeSchema& type, const Json& config) {
  if (!config.is_object()) return InvalidArgument(type.name + ": the configuration must be a JSON object");
  std::vector<std::string> problems;
  for (const Attribute& a : type.config) {
    auto it = config.find(a.name);
    if (it == config.end() || IsEmpty(*it)) {
      if (a.required) problems.push_back(a.name + " is required");
    } else if (!HasJsonType(*it, a.type)) {
      problems.push_back(a.name + " must be a " + std::string(AttributeTypeName(a.type)));
    }
  }
  for (const auto& [name, value] : config.items()) {
    const bool known = std::any_of(type.config.begin(), type.config.end(),
                                   [&, &n = name](const Attribute& a) { return a.name == n; });
    if (!known) problems.push_back(name + " is not an attribute of " + type.name);
  }
  if (problems.empty()) return Status::Ok();
  std::string message = type.name + ": ";
  for (size_t i = 0; i < problems.size(); ++i) message += (i ? "; " : "") + problems[i];
  return InvalidArgument(message);
}

}  // namespace cdr::providers
