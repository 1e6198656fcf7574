#include "cmd/cli_context.h"

#include <unistd.h>

#include <iostream>

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

std::optional<specs::Spec> LoadSpecOrReport(const GlobalOptions& g) {
  const std::filesystem::path path = SpecPath(g);
  std::error_code ec;
  if (g.spec_path.empty() && !std::filesystem::exists(path, ec)) {
    PrintError("no spec here: cdr reads specs/*.toml or cdr.toml from the current directory, or --spec PATH");
    return std::nullopt;
  }
  specs::LoadResult loaded = specs::LoadSpec(path);
  if (loaded.diagnostics.empty()) return std::move(loaded.spec);
  for (const auto& d : loaded.diagnostics) std::cerr << "Error: " << specs::FormatDiagnostic(d) << "\n";
  std::cerr << loaded.diagnostics.size() << " problem" << (loaded.diagnostics.size() == 1 ? "" : "s")
            << " in the spec.\n";
  return std::nullopt;
}

bool StateExistsOrSay(const GlobalOptions& g) {
  std::error_code ec;
  if (std::filesystem::exists(g.state_path, ec)) return true;
  std::cout << "No state at " << g.state_path << " yet: nothing has been applied here (or pass --state PATH).\n";
  return false;
}

std::unique_ptr<state::StateStore> OpenStateOrReport(const GlobalOptions& g) {
  auto store = state::StateStore::Open(g.state_path);
  if (!store.ok()) {
    PrintError("state " + g.state_path + ": " + store.status().message());
    return nullptr;
  }
  return std::move(store.value());
}

std::unique_ptr<providers::Provider> OpenProviderOrReport(const specs::Spec& spec) {
  auto provider = reconcile::OpenProvider(spec.provider);
  if (!provider.ok()) {
    PrintError("provider " + spec.provider.type + ": " + provider.status().message());
    return nullptr;
  }
  return std::move(provider.value());
}

std::optional<ScopedLock> ScopedLock::Acquire(state::StateStore& store, const std::string& operation) {
  auto lock = store.AcquireLock({operation});
  if (!lock.ok()) {
    PrintError(lock.status().message());
    return std::nullopt;
  }
  return ScopedLock(&store, lock->id);
}

ScopedLock::ScopedLock(ScopedLock&& other) noexcept : store_(other.store_), id_(std::move(other.id_)) {
  other.store_ = nullptr;
}

ScopedLock::~ScopedLock() {
  if (store_) store_->ReleaseLock(id_);
}

}  // namespace cdr::cmd
