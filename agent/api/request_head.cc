#include "agent/api/request_head.h"

#include <charconv>

#include "agent/api/bearer_auth.h"
#include "agent/api/http_status_mapping.h"

namespace cdr::agent::api {

std::optional<ApiResponse> RefusalFromHead(const RequestHead& head, const HeadRules& rules) {
  constexpr const char* kJson = "application/json";
  if (head.header_bytes > kMaxHeaderBytes) {
    return ApiResponse{
        431, kJson, ErrorBody("request headers over " + std::to_string(kMaxHeaderBytes) + " bytes"), {}};
  }
  if (head.method == "OPTIONS" || head.method == "TRACE" || (rules.get_only && head.method != "GET")) {
    return ApiResponse{405, "", "", {}};
  }
  if (!rules.token.empty() && !BearerTokenMatches(head.authorization, rules.token) &&
      !(rules.browser_login && (BasicPasswordMatches(head.authorization, rules.token) ||
                                QueryOrCookieTokenMatches(head.query, head.cookie, rules.token)))) {
    return ApiResponse{
        401, "", "", {{"WWW-Authenticate", rules.browser_login ? "Basic realm=\"cdr\", charset=\"UTF-8\"" : "Bearer"}}};
  }
  // Chunked bodies have no size up front; a request with both headers is the classic smuggling shape.
  if (head.has_transfer_encoding) {
    return ApiResponse{400, kJson, ErrorBody("Transfer-Encoding is not accepted; send a Content-Length"), {}};
  }
  if (head.content_length.empty()) return std::nullopt;
  uint64_t length = 0;
  const char* end = head.content_length.data() + head.content_length.size();
  auto [ptr, ec] = std::from_chars(head.content_length.data(), end, length);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && ptr == end && length > rules.max_body_bytes)) {
    return ApiResponse{
        413, kJson, ErrorBody("request body over " + std::to_string(rules.max_body_bytes) + " bytes"), {}};
  }
  if (ec != std::errc() || ptr != end)
    return ApiResponse{400, kJson, ErrorBody("invalid Content-Length"), {}};
  return std::nullopt;
}

}  // namespace cdr::agent::api
