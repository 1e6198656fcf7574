#include "common/http_exchange.h"

#include <http_parser.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>

namespace cdr {
namespace {

bool HasLineBreak(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

Status CheckRequest(const HttpRequest& r) {
  if (HasLineBreak(r.method) || HasLineBreak(r.target) || HasLineBreak(r.host) || HasLineBreak(r.content_type))
    return InvalidArgument("HTTP request line or Host holds a line break");
  for (const auto& [name, value] : r.headers) {
    if (HasLineBreak(name) || HasLineBreak(value)) return InvalidArgument("HTTP header " + name + " holds a line break");
  }
  return Status::Ok();
}

std::string Serialize(const HttpRequest& r) {
  std::string out = r.method + " " + r.target + " HTTP/1.1\r\nHost: " + r.host + "\r\n";
  for (const auto& [name, value] : r.headers) out += name + ": " + value + "\r\n";
  if (!r.body.empty() || (r.method != "GET" && r.method != "HEAD")) {
    if (!r.body.empty()) out += "Content-Type: " + r.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += r.body;
  return out;
}

// What the parser's callbacks fill in.
struct Parsed {
  const HttpLimits* limits = nullptr;
  HttpResponse response;
  size_t header_bytes = 0;
  bool in_value = false;  // the last header callback was a value's: a field callback starts the next header
  bool complete = false;
  std::string overflow;  // set by a callback that refused: why
};

Parsed& Of(http_parser* p) { return *static_cast<Parsed*>(p->data); }

int CountHeader(http_parser* p, const char*, size_t n) {
  Parsed& parsed = Of(p);
  parsed.header_bytes += n;
  if (parsed.header_bytes <= parsed.limits->max_header_bytes) return 0;
  parsed.overflow = "response headers larger than " + std::to_string(parsed.limits->max_header_bytes) + " bytes";
  return 1;
}

int OnBody(http_parser* p, const char* at, size_t n) {
  Parsed& parsed = Of(p);
  if (parsed.response.body.size() + n > parsed.limits->max_body_bytes) {
    parsed.overflow = "response body larger than " + std::to_string(parsed.limits->max_body_bytes) + " bytes";
    return 1;
  }
  parsed.response.body.append(at, n);
  return 0;
}

int OnHeadersComplete(http_parser* p) {
  Parsed& parsed = Of(p);
  parsed.response.status = static_cast<int>(p->status_code);
  if (p->content_length != ULLONG_MAX && p->content_length > parsed.limits->max_body_bytes) {
    parsed.overflow = "response body of " + std::to_string(p->content_length) + " bytes is larger than " +
                      std::to_string(parsed.limits->max_body_bytes);
    return -1;  // 1 and 2 mean "no body" to http-parser; anything else is an error
  }
  return 0;
}

int OnMessageComplete(http_parser* p) {
  Parsed& parsed = Of(p);
  parsed.response.keep_alive = http_should_keep_alive(p) != 0;
  parsed.complete = true;
  http_parser_pause(p, 1);  // anything after the response is not ours: stop here
  return 0;
}

int OnHeaderField(http_parser* p, const char* at, size_t n) {
  if (CountHeader(p, at, n) != 0) return 1;
  Parsed& parsed = Of(p);
  auto& headers = parsed.response.headers;
  if (headers.empty() || parsed.in_value) headers.emplace_back();
  parsed.in_value = false;
  headers.back().first.append(at, n);
  return 0;
}

int OnHeaderValue(http_parser* p, const char* at, size_t n) {
  if (CountHeader(p, at, n) != 0) return 1;
  Parsed& parsed = Of(p);
  if (parsed.response.headers.empty()) return 0;
  parsed.in_value = true;
  parsed.response.headers.back().second.append(at, n);
  return 0;
}

const http_parser_settings& Settings() {
  static const http_parser_settings settings = [] {
    http_parser_settings s{};
    http_parser_settings_init(&s);
    s.on_status = CountHeader;
    s.on_header_field = OnHeaderField;
    s.on_header_value = OnHeaderValue;
    s.on_headers_complete = OnHeadersComplete;
    s.on_body = OnBody;
    s.on_message_complete = OnMessageComplete;
    return s;
  }();
  return settings;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  for (const auto& [n, value] : headers) {
    if (std::equal(n.begin(), n.end(), name.begin(), name.end(), same)) return value;
  }
  return "";
}

Result<HttpResponse> HttpExchange(ByteStream& stream, const HttpRequest& request, Deadline deadline,
                                  const HttpLimits& limits, HttpExchangeError* error) {
  HttpExchangeError scratch;
  if (error == nullptr) error = &scratch;
  *error = {};
  CDR_RETURN_IF_ERROR(CheckRequest(request));
  const std::string wire = Serialize(request);
  CDR_RETURN_IF_ERROR(stream.WriteAll({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()}));

  Parsed parsed;
  parsed.limits = &limits;
  http_parser parser;
  http_parser_init(&parser, HTTP_RESPONSE);
  parser.data = &parsed;
  std::array<uint8_t, 16 << 10> buf;
  while (!parsed.complete) {
    Result<size_t> got = stream.ReadSome(buf.data(), buf.size(), deadline);
    if (!got.ok()) return Unavailable("no complete HTTP response: " + got.status().message());
    if (*got > 0) error->response_started = true;
    const size_t used = http_parser_execute(&parser, &Settings(), reinterpret_cast<const char*>(buf.data()), *got);
    const http_errno code = HTTP_PARSER_ERRNO(&parser);
    if (parsed.complete) {
      // Bytes beyond the response (none are expected): the connection cannot carry another request.
      if (used < *got) parsed.response.keep_alive = false;
      break;
    }
    if (*got == 0) return Unavailable("the server closed the connection before the response was complete");
    if (code != HPE_OK) {
      if (!parsed.overflow.empty()) return Internal("HTTP response refused: " + parsed.overflow);
      return Internal(std::string("malformed HTTP response: ") + http_errno_description(code));
    }
  }
  return std::move(parsed.response);
}

}  // namespace cdr
