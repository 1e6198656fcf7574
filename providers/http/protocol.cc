#include "providers/http/protocol.h"

#include <array>

namespace cdr::providers::http {
namespace {

struct CodeRow {
  ErrorCode code;
  std::string_view name;
  int http_status;
  StatusCode status;
};

constexpr std::array<CodeRow, 18> kCodes = {{
    {ErrorCode::kInvalidArgument, "InvalidArgument", 400, StatusCode::kInvalidArgument},
    {ErrorCode::kNotFound, "NotFound", 404, StatusCode::kNotFound},
    {ErrorCode::kAlreadyExists, "AlreadyExists", 409, StatusCode::kAlreadyExists},
    {ErrorCode::kFailedPrecondition, "FailedPrecondition", 412, StatusCode::kFailedPrecondition},
    {ErrorCode::kAborted, "Aborted", 409, StatusCode::kAborted},
    {ErrorCode::kUnavailable, "Unavailable", 503, StatusCode::kUnavailable},
    {ErrorCode::kDataLoss, "DataLoss", 500, StatusCode::kDataLoss},
    {ErrorCode::kPermissionDenied, "PermissionDenied", 403, StatusCode::kPermissionDenied},
    {ErrorCode::kInternal, "Internal", 500, StatusCode::kInternal},
    {ErrorCode::kUnauthenticated, "Unauthenticated", 401, StatusCode::kPermissionDenied},
    {ErrorCode::kPayloadTooLarge, "PayloadTooLarge", 413, StatusCode::kInvalidArgument},
    {ErrorCode::kHeadersTooLarge, "HeadersTooLarge", 431, StatusCode::kInvalidArgument},
    {ErrorCode::kMalformedRequest, "MalformedRequest", 400, StatusCode::kInvalidArgument},
    {ErrorCode::kUnknownType, "UnknownType", 404, StatusCode::kInvalidArgument},
    {ErrorCode::kUnsupportedCall, "UnsupportedCall", 405, StatusCode::kInvalidArgument},
    {ErrorCode::kUnknownOperation, "UnknownOperation", 404, StatusCode::kInvalidArgument},
    {ErrorCode::kUnsupportedVersion, "UnsupportedVersion", 404, StatusCode::kFailedPrecondition},
    {ErrorCode::kNoSuchPath, "NoSuchPath", 404, StatusCode::kInvalidArgument},
}};

const CodeRow& Row(ErrorCode code) {
  for (const CodeRow& row : kCodes)
    if (row.code == code) return row;
  return kCodes[8];  // kInternal
}

}  // namespace

std::string_view ErrorCodeName(ErrorCode code) { return Row(code).name; }

std::optional<ErrorCode> ParseErrorCode(std::string_view name) {
  for (const CodeRow& row : kCodes)
    if (row.name == name) return row.code;
  return std::nullopt;
}

int HttpStatusOf(ErrorCode code) { return Row(code).http_status; }
StatusCode StatusCodeOf(ErrorCode code) { return Row(code).status; }

ErrorCode ErrorCodeOf(StatusCode code) {
  for (const CodeRow& row : kCodes)  // the first row of a status is its own code, before the protocol's
    if (row.status == code) return row.code;
  return ErrorCode::kInternal;
}

ErrorCode ErrorCodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return ErrorCode::kMalformedRequest;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNoSuchPath;
    case 405:
      return ErrorCode::kUnsupportedCall;
    case 409:
      return ErrorCode::kAlreadyExists;
    case 412:
      return ErrorCode::kFailedPrecondition;
    case 413:
      return ErrorCode::kPayloadTooLarge;
    case 431:
      return ErrorCode::kHeadersTooLarge;
    case 502:
    case 503:
    case 504:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

std::string ErrorBody(ErrorCode code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", ErrorCodeName(code)}, {"message", message}}}}.dump();
}

std::optional<WireError> ParseErrorBody(const std::string& body) {
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return std::nullopt;
  const auto& error = json["error"];
  if (!error.contains("code") || !error["code"].is_string() || !error.contains("message") ||
      !error["message"].is_string())
    return std::nullopt;
  std::optional<ErrorCode> code = ParseErrorCode(error["code"].get<std::string>());
  if (!code) return std::nullopt;
  return WireError{*code, error["message"].get<std::string>()};
}

}  // namespace cdr::providers::http
