// Sends an ApiResponse on a cpprest request, for the two listeners (control API, HTTP endpoint): its headers, the
// body as bytes (byte_body.h), and the reply's task observed, because a client that hung up makes reply() fail —
// that is its business, but an unobserved task error would end the process.
#pragma once

#include <cpprest/http_msg.h>
#include <spdlog/spdlog.h>

#include <string>

#include "agent/api/byte_body.h"
#include "agent/api/control_router.h"

namespace cdr::agent::api {

inline void SendReply(web::http::http_request request, const ApiResponse& api, std::string listener) {
  web::http::http_response response(static_cast<web::http::status_code>(api.status));
  for (const auto& [name, value] : api.headers) response.headers().add(name, value);
  if (!api.body.empty()) SetByteBody(response, api.body, api.content_type);
  request.reply(response).then([listener = std::move(listener)](pplx::task<void> sent) {
    try {
      sent.get();
    } catch (const std::exception& e) {
      spdlog::debug("{}: reply not delivered: {}", listener, e.what());
    }
  });
}

}  // namespace cdr::agent::api
