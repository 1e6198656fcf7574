#include "providers/logging_provider.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <string_view>

namespace cdr::providers {
namespace {

enum class Kind { kRead, kMutation };

const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

// Runs `call`, then logs it: "provider local: create peering cdr-web-prod → OK (12 ms)".
template <typename Call>
auto Logged(const ResourceProvider& next, Kind kind, std::string_view what, const std::string& type,
            const std::string& key, Call&& call) {
  const auto start = std::chrono::steady_clock::now();
  auto result = call();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  const Status& status = StatusOf(result);
  const bool expected_absence = kind == Kind::kRead && status.code() == StatusCode::kNotFound;
  if (!status.ok() && !expected_absence) {
    spdlog::info("provider {}: {} {} {} failed after {} ms: {}", next.Name(), what, type, key, ms,
                 status.ToString());
  } else if (kind == Kind::kMutation || expected_absence) {
    spdlog::debug("provider {}: {} {} {} → {} ({} ms)", next.Name(), what, type, key,
                  StatusCodeName(status.code()), ms);
  }
  return result;
}

// What a create is called in the log: the config's name when it has one, its client token otherwise.
std::string CreateKey(const std::string& client_token, const Json& config) {
  auto name = config.is_object() ? config.find("name") : config.end();
  if (config.is_object() && name != config.end() && name->is_string() && !name->get<std::string>().empty())
    return name->get<std::string>();
  return client_token;
}

std::string FilterKey(const Json& filter) {
  auto ids = filter.is_object() ? filter.find("ids") : filter.end();
  if (filter.is_object() && ids != filter.end() && ids->is_array())
    return "by " + std::to_string(ids->size()) + " ids";
  return filter.dump();
}

}  // namespace

LoggingProvider::LoggingProvider(std::unique_ptr<ResourceProvider> next) : next_(std::move(next)) {}

Status LoggingProvider::Validate(const std::string& type, const Json& config) {
  return Logged(*next_, Kind::kRead, "validate", type, "", [&] { return next_->Validate(type, config); });
}

Result<Json> LoggingProvider::Create(const std::string& type, const std::string& client_token,
                                     const Json& config) {
  return Logged(*next_, Kind::kMutation, "create", type, CreateKey(client_token, config),
                [&] { return next_->Create(type, client_token, config); });
}

Result<Json> LoggingProvider::Read(const std::string& type, const std::string& id) {
  return Logged(*next_, Kind::kRead, "read", type, id, [&] { return next_->Read(type, id); });
}

Result<Json> LoggingProvider::List(const std::string& type, const Json& filter) {
  return Logged(*next_, Kind::kRead, "list", type, FilterKey(filter),
                [&] { return next_->List(type, filter); });
}

Status LoggingProvider::Delete(const std::string& type, const std::string& id) {
  return Logged(*next_, Kind::kMutation, "delete", type, id, [&] { return next_->Delete(type, id); });
}

Result<Json> LoggingProvider::Invoke(const std::string& type, const std::string& id,
                                     const std::string& operation, const Json& args) {
  return Logged(*next_, Kind::kMutation, operation, type, id,
                [&] { return next_->Invoke(type, id, operation, args); });
}

}  // namespace cdr::providers
