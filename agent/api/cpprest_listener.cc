#include "agent/api/cpprest_listener.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <set>
#include <stdexcept>

#include "agent/api/free_port.h"
#include "agent/api/send_reply.h"

namespace cdr::agent::api {
namespace {

using web::http::http_request;
using web::http::experimental::listener::http_listener;

constexpr int kBindAttempts = 5;

class HostPortsInUse {
 public:
  bool Claim(const std::string& host_port) {
    std::lock_guard lock(mu_);
    return in_use_.insert(host_port).second;
  }
  void Release(const std::string& host_port) {
    std::lock_guard lock(mu_);
    in_use_.erase(host_port);
  }

 private:
  std::mutex mu_;
  std::set<std::string> in_use_;
};

HostPortsInUse& ProcessHostPorts() {
  static HostPortsInUse ports;
  return ports;
}

}  // namespace

Result<OpenedListener> OpenListener(const std::string& name, const std::string& host, uint16_t port,
                                    std::function<void(http_request)> serve, const SslSetup& ssl) {
  if (host.find(':') != std::string::npos) {
    return InvalidArgument(name + " host: \"" + host + "\" is IPv6; the HTTP listener needs an IPv4 address");
  }
  std::string last_error;
  for (int attempt = 0; attempt < kBindAttempts; ++attempt) {
    uint16_t chosen = port;
    if (chosen == 0) {
      Result<uint16_t> free = PickFreePort(host);
      if (!free.ok()) return free.status();
      chosen = *free;
    }
    const std::string host_port = HostForAddress(host) + ":" + std::to_string(chosen);
    const std::string uri = (ssl ? "https://" : "http://") + host_port + "/";
    if (!ProcessHostPorts().Claim(host_port)) {
      last_error = "another listener of this process listens there";
      if (port != 0) break;
      continue;
    }
    try {
      web::http::experimental::listener::http_listener_config config;
      if (ssl) config.set_ssl_context_callback(ssl);
      auto listener = std::make_unique<http_listener>(uri, config);
      listener->support(serve);
      for (const auto& method : {web::http::methods::OPTIONS, web::http::methods::TRCE}) {
        listener->support(method, serve);
      }
      listener->open().wait();
      spdlog::info("{}: listening on {}{}", name, host_port, ssl ? " (HTTPS, client certificates)" : "");
      return OpenedListener{std::move(listener), chosen, host_port};
    } catch (const std::exception& e) {
      ProcessHostPorts().Release(host_port);
      last_error = e.what();
      spdlog::warn("{}: cannot listen on {}: {}", name, uri, last_error);
    }
    if (port != 0) break;  // a fixed port will not become free by retrying at once
  }
  return Unavailable(name + ": cannot listen on " + HostForAddress(host) + ":" +
                     (port ? std::to_string(port) : "a free port") + ": " + last_error);
}

RequestHead HeadOf(const http_request& request) {
  RequestHead head;
  head.method = request.method();
  head.query = request.relative_uri().query();
  for (const auto& [name, value] : request.headers()) {
    head.header_bytes += name.size() + value.size();
    if (utility::details::str_iequal(name, "Authorization")) head.authorization = value;
    if (utility::details::str_iequal(name, "Content-Length")) head.content_length = value;
    if (utility::details::str_iequal(name, "Cookie")) head.cookie = value;
    if (utility::details::str_iequal(name, "Transfer-Encoding")) head.has_transfer_encoding = true;
  }
  return head;
}

void RefuseBeforeBody(const std::string& name, http_request request, ApiResponse refusal) {
  spdlog::warn("{}: {} {} refused before its body: {}", name, request.method().substr(0, 16),
               request.relative_uri().path().substr(0, 64), refusal.status);
  request.body().streambuf().close(std::ios_base::in | std::ios_base::out,
                                   std::make_exception_ptr(std::runtime_error("request refused")));
  refusal.headers.emplace_back("Connection", "close");
  SendReply(std::move(request), refusal, name);
}

void CloseListener(const std::string& name, OpenedListener* opened) {
  if (!opened->listener) return;
  try {
    opened->listener->close().wait();
  } catch (const std::exception& e) {
    spdlog::warn("{}: closing the listener: {}", name, e.what());
  }
  ProcessHostPorts().Release(opened->address);
}

}  // namespace cdr::agent::api
