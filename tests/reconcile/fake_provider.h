// A recording fake provider for reconciler unit tests: a generic ResourceProvider (resource_provider.h) that
// records every call in order and lets a test make any call fail through a hook, in front of an in-memory
// cloud. The kinds the reconciler tests depend on are FakeCloud's (fake_cloud.h); any other resource type is
// a generic store of JSON resources (create with client tokens, read, list by ids, delete), so a new resource
// kind needs no change here.
//
//   reconcile ──Create/Read/List/Delete/Invoke(type, …)──► record + hook ──► FakeCloud's types (registry)
//                                                                       └──► generic store (other types)
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "providers/resource_provider.h"
#include "providers/resource_type_registry.h"
#include "providers/resource_types.h"
#include "tests/reconcile/fake_cloud.h"

namespace cdr::reconcile::test_util {

struct FakeCall {
  std::string method;  // the generic call and its type: "create peering", "read agent", "upgrade agent"
  std::string key;     // a create's config name (its client token when it has none), the id otherwise
  std::string token;   // the client token of a create call, empty otherwise
  providers::Json args = providers::Json::object();  // a create's config, an operation's arguments
  bool operator==(const FakeCall& o) const { return method == o.method && key == o.key && token == o.token; }
};

// A resource type the fake does not register: JSON resources keyed by "id", made by Create from the config.
class GenericStore {
 public:
  Result<providers::Json> Create(const std::string& type, const std::string& token,
                                 const providers::Json& config) {
    if (auto made = tokens_.find(type + "/" + token); made != tokens_.end()) return Read(type, made->second);
    providers::Json resource = config;
    resource["id"] = type + "-" + std::to_string(++next_id_);
    tokens_[type + "/" + token] = resource["id"];
    return resources_[type][resource["id"]] = resource;
  }
  Result<providers::Json> Read(const std::string& type, const std::string& id) {
    auto it = resources_[type].find(id);
    if (it == resources_[type].end()) return NotFound(type + " " + id + " does not exist");
    return it->second;
  }
  Result<providers::Json> List(const std::string& type, const providers::Json& filter) {
    providers::Json out = providers::Json::array();
    for (const auto& [id, resource] : resources_[type]) {
      const providers::Json ids = filter.value("ids", providers::Json());
      if (ids.is_null() || std::find(ids.begin(), ids.end(), id) != ids.end()) out.push_back(resource);
    }
    return out;
  }
  Status Delete(const std::string& type, const std::string& id) {
    if (!resources_[type].erase(id)) return NotFound(type + " " + id + " does not exist");
    return Status::Ok();
  }

 private:
  std::map<std::string, std::map<std::string, providers::Json>> resources_;  // type → id → resource
  std::map<std::string, std::string> tokens_;                                // "type/token" → id
  unsigned next_id_ = 0;
};

class RecordingFakeProvider : public providers::ResourceProvider, public FakeCloud {
 public:
  // Returning a non-ok Status makes the call fail with it before it has any effect; Ok lets it run.
  using Hook = std::function<Status(const FakeCall& call)>;

  std::map<std::string, Hook> hooks;  // by method: "create peering"

  // Fails every call of `method` (or only those whose key is `key`) with `status`.
  void FailOn(const std::string& method, Status status, std::optional<std::string> key = std::nullopt) {
    hooks[method] = [status, key](const FakeCall& c) {
      return !key || *key == c.key ? status : Status::Ok();
    };
  }
  void ClearHooks() { hooks.clear(); }

  const std::vector<FakeCall>& calls() const { return calls_; }
  void ClearCalls() { calls_.clear(); }
  // "Method key" for each call that changes the cloud, in order: not a read, a list or the recovery_points
  // operation (which reads them).
  std::vector<std::string> MutatingCalls() const {
    const std::string reads_points =
        std::string(providers::OperationName(providers::Operation::kRecoveryPoints)) + " ";
    std::vector<std::string> out;
    for (const auto& c : calls_) {
      if (c.method.rfind("read ", 0) == 0 || c.method.rfind("list ", 0) == 0 ||
          c.method.rfind(reads_points, 0) == 0)
        continue;
      out.push_back(c.method + " " + c.key);
    }
    return out;
  }

  std::string Name() const override { return "fake"; }
  Result<providers::ProviderSchema> Schema() override { return registry_.Schema(); }
  Status Validate(const std::string& type, const providers::Json& config) override {
    return Registered(type) ? registry_.Validate(type, config) : Status::Ok();
  }
  Result<providers::Json> Create(const std::string& type, const std::string& client_token,
                                 const providers::Json& config) override {
    const providers::Json name = config.value("name", providers::Json());
    CDR_RETURN_IF_ERROR(Enter(
        {"create " + type, name.is_string() ? name.get<std::string>() : client_token, client_token, config}));
    return Registered(type) ? registry_.Create(type, client_token, config)
                            : generic_.Create(type, client_token, config);
  }
  Result<providers::Json> Read(const std::string& type, const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter({"read " + type, id}));
    return Registered(type) ? registry_.Read(type, id) : generic_.Read(type, id);
  }
  Result<providers::Json> List(const std::string& type, const providers::Json& filter) override {
    CDR_RETURN_IF_ERROR(Enter({"list " + type, filter.dump(), "", filter}));
    return Registered(type) ? registry_.List(type, filter) : generic_.List(type, filter);
  }
  Status Delete(const std::string& type, const std::string& id) override {
    CDR_RETURN_IF_ERROR(Enter({"delete " + type, id}));
    return Registered(type) ? registry_.Delete(type, id) : generic_.Delete(type, id);
  }
  Result<providers::Json> Invoke(const std::string& type, const std::string& id, const std::string& operation,
                                 const providers::Json& args) override {
    CDR_RETURN_IF_ERROR(Enter({operation + " " + type, id, "", args}));
    if (!Registered(type)) return InvalidArgument("resource type " + type + " has no operation " + operation);
    return registry_.Invoke(type, id, operation, args);
  }

 private:
  bool Registered(const std::string& type) const { return registered_.Find(type) != nullptr; }

  // Refresh reads 16 at a time: the calls are recorded under a lock, in the order they came (reads of one
  // refresh in any order).
  Status Enter(FakeCall call) {
    Hook hook;
    {
      std::lock_guard lock(calls_mu_);
      calls_.push_back(call);
      auto it = hooks.find(call.method);
      if (it != hooks.end()) hook = it->second;
    }
    return hook ? hook(call) : Status::Ok();
  }

  providers::ResourceTypeRegistry registry_{"fake", Types()};
  const providers::ProviderSchema registered_ = *registry_.Schema();
  GenericStore generic_;
  std::mutex calls_mu_;
  std::vector<FakeCall> calls_;
};

}  // namespace cdr::reconcile::test_util
