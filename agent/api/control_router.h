// The control API's request handling, independent of the HTTP library: authentication, routing, status codes
// and bodies (docs/agent-api.md). control_api.cc only moves requests and responses between cpprest and this.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "agent/replication_control.h"

namespace cdr::agent::api {

struct ApiRequest {
  std::string method;         // "GET", "POST", …
  std::string path;           // without the query string
  std::string authorization;  // the Authorization header's value; empty when absent
  std::string body;
};

struct ApiResponse {
  int status = 200;
  std::string content_type;  // empty with an empty body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

class ControlRouter {
 public:
  // `control` must outlive the router.
  ControlRouter(std::string token, ReplicationControl* control);

  // Safe to call from several threads at once if `control` is.
  ApiResponse Handle(const ApiRequest& request) const;

 private:
  ApiResponse StatusResponse() const;
  ApiResponse MetricsResponse() const;
  ApiResponse CommandResponse(const std::string& name, const std::string& body) const;

  std::string token_;
  ReplicationControl* control_;
};

}  // namespace cdr::agent::api
