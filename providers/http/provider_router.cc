#include "providers/http/provider_router.h"

#include "providers/http/protocol.h"

namespace cdr::providers::http {
namespace {

using Json = nlohmann::json;

RouterReply Refuse(ErrorCode code, const std::string& message) {
  return {HttpStatusOf(code), ErrorBody(code, message)};
}

RouterReply Refuse(const Status& status) { return Refuse(ErrorCodeOf(status.code()), status.message()); }

RouterReply Reply(const char* key, Result<Json> value) {
  if (!value.ok()) return Refuse(value.status());
  return {200, Json{{key, std::move(*value)}}.dump()};
}

RouterReply Reply(const Status& status) {
  if (!status.ok()) return Refuse(status);
  return {200, "{}"};
}

// The body's member `key` (an object when absent, so `{}` is a valid body for calls without arguments).
Json Member(const Json& body, const char* key) {
  return body.is_object() && body.contains(key) ? body[key] : Json::object();
}

std::string Paths() {
  return "this provider serves GET /v1/schema, POST /v1/validate/TYPE, POST /v1/list/TYPE, POST "
         "/v1/resources/TYPE, GET|DELETE /v1/resources/TYPE/ID and POST /v1/resources/TYPE/ID/OPERATION "
         "(docs/provider-protocol.md)";
}

}  // namespace

ProviderRouter::ProviderRouter(ResourceProvider* provider)
    : provider_(provider), schema_(provider->Schema()) {}

RouterReply ProviderRouter::Handle(const std::string& method, const std::vector<std::string>& path,
                                   const std::string& body) const {
  if (path.empty() || path[0] != kVersionPrefix) {
    if (!path.empty() && path[0].size() > 1 && path[0][0] == 'v')
      return Refuse(ErrorCode::kUnsupportedVersion, "protocol version " + path[0].substr(1) +
                                                        " is not served; this provider speaks version " +
                                                        std::to_string(kProtocolVersion) + " under /v1/");
    return Refuse(ErrorCode::kNoSuchPath, Paths());
  }
  if (!schema_.ok()) return Refuse(schema_.status());
  if (path.size() == 2 && path[1] == "schema") {
    if (method != "GET") return Refuse(ErrorCode::kUnsupportedCall, "the schema is read with GET /v1/schema");
    return Schema();
  }
  Json json = Json::object();
  if (!body.empty()) {
    json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
      return Refuse(ErrorCode::kMalformedRequest,
                    "the request body is not a JSON object; send one (or none)");
  }
  return Resources(method, path, json);
}

RouterReply ProviderRouter::Schema() const { return {200, ToJson(*schema_).dump()}; }

RouterReply ProviderRouter::Resources(const std::string& method, const std::vector<std::string>& path,
                                      const Json& body) const {
  if (path.size() < 3 || path.size() > 5) return Refuse(ErrorCode::kNoSuchPath, Paths());
  const std::string& collection = path[1];
  const std::string& type = path[2];
  const TypeSchema* schema = schema_->Find(type);
  if (schema == nullptr) {
    return Refuse(ErrorCode::kUnknownType,
                  "unknown resource type \"" + type + "\"; this provider has: " + schema_->TypeNames());
  }
  auto call = [&](ResourceCall c) -> std::optional<RouterReply> {
    if (schema->Supports(c)) return std::nullopt;
    return Refuse(ErrorCode::kUnsupportedCall, "resource type " + type + " does not support " +
                                                   std::string(ResourceCallName(c)) +
                                                   "; see GET /v1/schema for what it supports");
  };
  const bool post = method == "POST";
  if (collection == "validate" && path.size() == 3 && post)
    return Reply(provider_->Validate(type, Member(body, "config")));
  if (collection == "list" && path.size() == 3 && post) {
    if (auto refused = call(ResourceCall::kList)) return *refused;
    return Reply("resources", provider_->List(type, Member(body, "filter")));
  }
  if (collection != "resources") return Refuse(ErrorCode::kNoSuchPath, Paths());
  if (path.size() == 3 && post) {
    if (auto refused = call(ResourceCall::kCreate)) return *refused;
    const Json token = body.is_object() && body.contains("client_token") ? body["client_token"] : Json();
    if (!token.is_string() || token.get<std::string>().empty())
      return Refuse(
          ErrorCode::kMalformedRequest,
          "a create needs a non-empty \"client_token\": the same token again returns the first resource");
    return Reply("resource", provider_->Create(type, token.get<std::string>(), Member(body, "config")));
  }
  if (path.size() == 4 && method == "GET") {
    if (auto refused = call(ResourceCall::kRead)) return *refused;
    return Reply("resource", provider_->Read(type, path[3]));
  }
  if (path.size() == 4 && method == "DELETE") {
    if (auto refused = call(ResourceCall::kDelete)) return *refused;
    return Reply(provider_->Delete(type, path[3]));
  }
  if (path.size() == 5 && post) {
    if (!schema->HasOperation(path[4])) {
      std::string known;
      for (const std::string& op : schema->operations) known += (known.empty() ? "" : ", ") + op;
      return Refuse(ErrorCode::kUnknownOperation, "resource type " + type + " has no operation \"" + path[4] +
                                                      "\"; it has: " + (known.empty() ? "none" : known));
    }
    return Reply("result", provider_->Invoke(type, path[3], path[4], Member(body, "args")));
  }
  return Refuse(ErrorCode::kNoSuchPath, method + " is not served here; " + Paths());
}

}  // namespace cdr::providers::http
