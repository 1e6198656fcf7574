// What every subcommand shares: global options, exit codes, and opening the spec, state, provider and lock
// with errors printed the same way everywhere.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "providers/resource_provider.h"
#include "reconcile/git_source.h"
#include "specs/spec.h"
#include "state/lock_heartbeat.h"
#include "state/lock_operation.h"
#include "state/state_store.h"

namespace cdr::cmd {

// Exit codes, as Terraform's -detailed-exitcode: 0 success/no changes, 1 error, 2 changes (or drift) present.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitChanges = 2;
inline constexpr int kExitFmtCheck = 3;  // `fmt -check`: some file is not formatted (as terraform fmt)

struct GlobalOptions {
  std::string spec_path;  // empty: "specs/" when it is a directory, else "cdr.toml"
  // --git REPO --ref REF [--path P]: read the spec from a commit instead of the working tree.
  std::string git_repository;
  std::string git_ref = "HEAD";
  std::string git_path;
  std::string state_path = ".cdr/state.db";  // a file, or a postgres:// URL (state/state_location.h)
  bool verbose = false;
  // -lock-timeout: how long a command that needs the state lock waits for another holder to let go (0: refused
  // at once, as before).
  std::chrono::milliseconds lock_timeout{0};
};

std::filesystem::path SpecPath(const GlobalOptions& g);
struct LoadedSpec {
  specs::Spec spec;
  std::string git_commit;      // the commit read (--git), else HEAD of a repository holding the spec files
  bool git_dirty = false;      // working-tree spec files differ from HEAD
  std::string git_repository;  // set only when read with --git
  std::string source;          // for people and the history: "specs" or "git /repo@main:specs"
};
// Loads and validates the spec (from git with --git); prints every diagnostic to stderr, nullopt on any.
std::optional<LoadedSpec> LoadSpecOrReport(const GlobalOptions& g);
// The spec at a given commit (a saved plan made with --git is checked against the very commit it was made from).
std::optional<LoadedSpec> LoadSpecFromGitOrReport(const reconcile::GitSpecSource& source);
// For commands that only read the state (plan, drift): a SQLite state that does not exist yet is read as an
// empty one in memory, so reading never creates the file (as Terraform's plan persists nothing).
std::unique_ptr<state::StateStore> OpenStateForReadingOrReport(const GlobalOptions& g);
std::unique_ptr<state::StateStore> OpenStateOrReport(const GlobalOptions& g);
// For read-only commands: false (after saying so on stdout) when there is no state file yet, so that looking
// does not create one.
bool StateExistsOrSay(const GlobalOptions& g);
// The state location for messages: a URL's password is never printed.
std::string ShownState(const GlobalOptions& g);
std::unique_ptr<providers::ResourceProvider> OpenProviderOrReport(const specs::Spec& spec);
// The lock when its holder is alive (not one the next command would take over). Without a live apply holding it,
// what the state records as running (a job, a drill's verification) was cut short, and read-only commands say so.
std::optional<state::LockInfo> LiveLock(state::StateStore& store);

// For commands that only read the state (plan, drift): waits within -lock-timeout while another live process
// holds the lock, without taking it (taking it would write the state); false after printing the refusal.
bool WaitUntilUnlocked(state::StateStore& store, const GlobalOptions& g);

// Short, because a heartbeat renews it: a killed job's lock on another host lapses within this time.
inline constexpr int64_t kLockTtlMillis = 2 * 60 * 1000;

// Holds the state lock, renewed by a heartbeat thread, for the lifetime of the object.
class ScopedLock {
 public:
  static std::optional<ScopedLock> Acquire(state::StateStore& store, const GlobalOptions& g,
                                           state::LockOperation operation);
  ScopedLock(ScopedLock&& other) noexcept;
  ~ScopedLock();
  const std::string& id() const { return id_; }

 private:
  ScopedLock(state::StateStore* store, std::string id, std::unique_ptr<state::LockHeartbeat> heartbeat)
      : store_(store), id_(std::move(id)), heartbeat_(std::move(heartbeat)) {}
  state::StateStore* store_;
  std::string id_;
  std::unique_ptr<state::LockHeartbeat> heartbeat_;
};

void PrintError(const std::string& message);
bool StdoutIsTerminal();

}  // namespace cdr::cmd
