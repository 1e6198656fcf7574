#include "state/internal/serialized_connection.h"

#include <mutex>

namespace cdr::state::internal {
namespace {

class Serialized : public SqlConnection {
 public:
  explicit Serialized(std::unique_ptr<SqlConnection> next) : next_(std::move(next)) {}

  StateBackend backend() const override { return next_->backend(); }
  SqlResult Query(std::string_view sql, const std::vector<SqlValue>& params) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return next_->Query(sql, params);
  }
  void ExecScript(std::string_view sql) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    next_->ExecScript(sql);
  }

  // The mutex stays held while the transaction is open; Commit or Rollback (SqlTransaction always ends with
  // one of them) lets it go.
  void Begin(TransactionMode mode) override {
    std::unique_lock<std::recursive_mutex> lock(mu_);
    next_->Begin(mode);
    lock.release();
  }
  void Commit() override {
    next_->Commit();  // a failed commit stays open: SqlTransaction rolls it back, which unlocks
    mu_.unlock();
  }
  void Rollback() override {
    std::unique_lock<std::recursive_mutex> lock(mu_, std::adopt_lock);
    next_->Rollback();
  }

  int SchemaVersion() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return next_->SchemaVersion();
  }
  void SetSchemaVersion(int version) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    next_->SetSchemaVersion(version);
  }
  void PrepareForWrites() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    next_->PrepareForWrites();
  }
  SessionLock TrySessionLock() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return next_->TrySessionLock();
  }
  void ReleaseSessionLock() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    next_->ReleaseSessionLock();
  }
  bool EndSessionLockHolder() override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    return next_->EndSessionLockHolder();
  }
  void ResyncIdSequence(const std::string& table) override {
    std::lock_guard<std::recursive_mutex> lock(mu_);
    next_->ResyncIdSequence(table);
  }

 private:
  std::unique_ptr<SqlConnection> next_;
  std::recursive_mutex mu_;
};

}  // namespace

std::unique_ptr<SqlConnection> SerializedConnection(std::unique_ptr<SqlConnection> next) {
  return std::make_unique<Serialized>(std::move(next));
}

}  // namespace cdr::state::internal
