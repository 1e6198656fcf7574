// The provider protocol's fixed parts, shared by the server (provider_server.h), the client
// (http_resource_provider.h) and the conformance kit (conformance.h): paths, limits, and the error codes with
// their HTTP statuses and the Status each becomes on the client (docs/provider-protocol.md).
//
//   GET    /v1/schema                                        → {"protocol_version", "provider", "types"}
//   POST   /v1/validate/TYPE          {"config"}             → {}
//   POST   /v1/resources/TYPE         {"client_token","config"} → {"resource"}
//   GET    /v1/resources/TYPE/ID                             → {"resource"}
//   DELETE /v1/resources/TYPE/ID                             → {}
//   POST   /v1/list/TYPE              {"filter"}             → {"resources": [...]}
//   POST   /v1/resources/TYPE/ID/OP   {"args"}               → {"result"}
//   any refusal                                              → {"error": {"code", "message"}}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace cdr::providers::http {

inline constexpr std::string_view kVersionPrefix = "v1";
// Every request body is one resource's configuration or an operation's arguments.
inline constexpr uint64_t kMaxRequestBodyBytes = 1 << 20;
// A list of resources (200 hosts with their disks is ~100 KiB).
inline constexpr uint64_t kMaxResponseBodyBytes = 64 << 20;

enum class ErrorCode {
  // The Status codes a provider's call returns.
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kDataLoss,
  kPermissionDenied,
  kInternal,
  // The protocol's own refusals, decided before the provider is called.
  kUnauthenticated,     // no or a wrong bearer token (401, before the body is read)
  kPayloadTooLarge,     // a body over kMaxRequestBodyBytes (413, before it is read)
  kHeadersTooLarge,     // 431
  kMalformedRequest,    // not JSON, no Content-Length, chunked (400)
  kUnknownType,         // a resource type the schema does not have (404)
  kUnsupportedCall,     // a call the type does not support (405)
  kUnknownOperation,    // an operation the type does not have (404)
  kUnsupportedVersion,  // a path under another protocol version (404)
  kNoSuchPath,          // a path the protocol does not have (404)
};

std::string_view ErrorCodeName(ErrorCode code);
std::optional<ErrorCode> ParseErrorCode(std::string_view name);
int HttpStatusOf(ErrorCode code);
// What the client's caller sees: kNotFound stays kNotFound (a gone resource), the protocol's refusals become
// kInvalidArgument or kPermissionDenied (the request, not the cloud, is wrong).
StatusCode StatusCodeOf(ErrorCode code);
ErrorCode ErrorCodeOf(StatusCode code);
// The code of a reply that carries none (a proxy's page, a bare 401): from its HTTP status.
ErrorCode ErrorCodeForHttpStatus(int http_status);

// {"error": {"code": "NotFound", "message": "..."}}
std::string ErrorBody(ErrorCode code, const std::string& message);
// The error code and message of a refusal's body; nullopt when it is not one.
struct WireError {
  ErrorCode code;
  std::string message;
};
std::optional<WireError> ParseErrorBody(const std::string& body);

}  // namespace cdr::providers::http
