#include "cmd/cli_context.h"

#include "state/state_location.h"

#include <unistd.h>

#include <algorithm>
#include <functional>
#include <thread>

#include <iostream>

#include "reconcile/git_info.h"
#include "reconcile/git_source.h"
#include "reconcile/open_provider.h"
#include "specs/load_spec.h"

namespace cdr::cmd {

void PrintError(const std::string& message) { std::cerr << "Error: " << message << "\n"; }

bool StdoutIsTerminal() { return ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr; }

std::filesystem::path SpecPath(const GlobalOptions& g) {
  if (!g.spec_path.empty()) return g.spec_path;
  std::error_code ec;
  return std::filesystem::is_directory("specs", ec) ? "specs" : "cdr.toml";
}

namespace {

void ReportDiagnostics(const std::vector<specs::Diagnostic>& diagnostics) {
  for (const auto& d : diagnostics) std::cerr << "Error: " << specs::FormatDiagnostic(d) << "\n";
  std::cerr << diagnostics.size() << " problem" << (diagnostics.size() == 1 ? "" : "s") << " in the spec.\n";
}

std::optional<LoadedSpec> LoadFromGit(const reconcile::GitSpecSource& g) {
  auto read = reconcile::ReadSpecFromGit(g);
  if (!read.ok()) {
    PrintError("spec from git: " + read.status().message());
    return std::nullopt;
  }
  LoadedSpec out;
  out.git_commit = read->commit;
  out.git_repository = read->repository;
  out.source = "git " + read->repository + "@" + g.ref + ":" + (g.path.empty() ? "." : g.path);
  specs::LoadResult loaded = specs::LoadSpecDocuments(read->documents);
  if (!loaded.diagnostics.empty()) {
    std::cerr << "In the spec at " << g.ref << " (commit " << read->commit.substr(0, 12) << "):\n";
    ReportDiagnostics(loaded.diagnostics);
    return std::nullopt;
  }
  out.spec = std::move(loaded.spec);
  return out;
}

// Every command that reads the spec (validate, plan, apply, …) says what in it weakens the estate.
std::optional<LoadedSpec> Warned(std::optional<LoadedSpec> loaded) {
  if (loaded) {
    for (const specs::Diagnostic& d : specs::SpecWarnings(loaded->spec)) {
      std::cerr << "Warning: " << specs::FormatDiagnostic(d) << "\n";
    }
  }
  return loaded;
}

}  // namespace

std::optional<LoadedSpec> LoadSpecOrReport(const GlobalOptions& g) {
  if (!g.git_repository.empty()) return Warned(LoadFromGit({g.git_repository, g.git_ref, g.git_path}));
  const std::filesystem::path path = SpecPath(g);
  std::error_code ec;
  if (g.spec_path.empty() && !std::filesystem::exists(path, ec)) {
    PrintError("no spec here: cdr reads specs/*.toml or cdr.toml from the current directory, or --spec PATH");
    return std::nullopt;
  }
  specs::LoadResult loaded = specs::LoadSpec(path);
  if (loaded.diagnostics.empty()) {
    LoadedSpec out;
    out.spec = std::move(loaded.spec);
    reconcile::GitInfo git = reconcile::DescribeGitHead(path);
    out.git_commit = git.commit;
    out.git_dirty = git.dirty;
    out.source = path.string();
    return Warned(std::move(out));
  }
  ReportDiagnostics(loaded.diagnostics);
  return std::nullopt;
}

std::optional<LoadedSpec> LoadSpecFromGitOrReport(const reconcile::GitSpecSource& source) {
  return Warned(LoadFromGit(source));
}

std::string ShownState(const GlobalOptions& g) { return state::RedactedLocation(g.state_path); }

bool StateExistsOrSay(const GlobalOptions& g) {
  // A database is there or not when it is opened: that error names what is wrong.
  if (state::BackendOf(g.state_path) == state::StateBackend::kPostgres) return true;
  std::error_code ec;
  if (std::filesystem::exists(g.state_path, ec)) return true;
  std::cout << "No state at " << g.state_path << " yet: nothing has been applied here (or pass --state PATH).\n";
  return false;
}

std::optional<state::LockInfo> LiveLock(state::StateStore& store) {
  auto lock = store.CurrentLock();
  if (!lock || !state::StateStore::TakeoverReasonFor(*lock).empty()) return std::nullopt;
  return lock;
}

std::unique_ptr<state::StateStore> OpenStateOrReport(const GlobalOptions& g) {
  auto store = state::StateStore::Open(g.state_path);
  if (!store.ok()) {
    PrintError("state " + ShownState(g) + ": " + store.status().message());
    return nullptr;
  }
  return std::move(store.value());
}

std::unique_ptr<state::StateStore> OpenStateForReadingOrReport(const GlobalOptions& g) {
  std::error_code ec;
  if (state::BackendOf(g.state_path) != state::StateBackend::kSqlite || std::filesystem::exists(g.state_path, ec)) {
    return OpenStateOrReport(g);
  }
  auto store = state::StateStore::Open(":memory:");
  if (!store.ok()) {
    PrintError("an empty state in memory for " + ShownState(g) + ": " + store.status().message());
    return nullptr;
  }
  return std::move(store.value());
}

std::unique_ptr<providers::ResourceProvider> OpenProviderOrReport(const specs::Spec& spec) {
  auto provider = reconcile::OpenProvider(spec.provider);
  if (!provider.ok()) {
    PrintError(std::string("provider ") + specs::ProviderTypeName(spec.provider.type) + ": " +
               provider.status().message());
    return nullptr;
  }
  return std::move(provider.value());
}

namespace {

// Runs `attempt` until it is not refused by another live lock holder, asking again every half second within
// -lock-timeout; prints the refusal when it stays.
bool RetryWhileLocked(const GlobalOptions& g, const std::function<Status()>& attempt) {
  const auto deadline = std::chrono::steady_clock::now() + g.lock_timeout;
  Status s = attempt();
  for (bool said = false; !s.ok() && s.code() == StatusCode::kAborted && std::chrono::steady_clock::now() < deadline;) {
    if (!said) std::cerr << "Acquiring state lock. This may take a few moments...\n";
    said = true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
        std::chrono::milliseconds(500), deadline - std::chrono::steady_clock::now()));
    s = attempt();
  }
  if (!s.ok()) PrintError(s.message());
  return s.ok();
}

}  // namespace

bool WaitUntilUnlocked(state::StateStore& store, const GlobalOptions& g) {
  return RetryWhileLocked(g, [&] { return store.CheckUnlocked(); });
}

std::optional<ScopedLock> ScopedLock::Acquire(state::StateStore& store, const GlobalOptions& g,
                                              state::LockOperation operation) {
  std::string id;
  const bool held = RetryWhileLocked(g, [&] {
    auto lock = store.AcquireLock({state::LockOperationName(operation), kLockTtlMillis});
    if (!lock.ok()) return lock.status();
    id = lock->id;
    return Status::Ok();
  });
  if (!held) return std::nullopt;
  return ScopedLock(&store, id, std::make_unique<state::LockHeartbeat>(g.state_path, id, kLockTtlMillis));
}

ScopedLock::ScopedLock(ScopedLock&& other) noexcept
    : store_(other.store_), id_(std::move(other.id_)), heartbeat_(std::move(other.heartbeat_)) {
  other.store_ = nullptr;
}

ScopedLock::~ScopedLock() {
  heartbeat_.reset();  // stop renewing before releasing
  if (store_) store_->ReleaseLock(id_);
}

}  // namespace cdr::cmd
