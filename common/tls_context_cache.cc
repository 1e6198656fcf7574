#include "common/tls_context_cache.h"

#include <sys/stat.h>

#include <map>
#include <mutex>
#include <vector>

namespace cdr {
namespace {

// What identifies the contents of a file cheaply: its size and modification time (ns).
using Fingerprint = std::vector<int64_t>;

Fingerprint FingerprintOf(const TlsFiles& files) {
  Fingerprint out;
  for (const auto* path : {&files.ca_cert, &files.cert, &files.key}) {
    struct stat st {};
    if (::stat(path->c_str(), &st) != 0) {
      out.insert(out.end(), {-1, -1});
      continue;
    }
    out.push_back(st.st_size);
    out.push_back(int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec);
  }
  return out;
}

struct Entry {
  Fingerprint fingerprint;
  std::shared_ptr<const TlsContext> context;
};

}  // namespace

Result<std::shared_ptr<const TlsContext>> SharedTlsContext(const std::filesystem::path& dir, TlsRole role) {
  static std::mutex mutex;
  static std::map<std::pair<std::filesystem::path, TlsRole>, Entry> cache;
  const TlsFiles files = TlsFilesIn(dir, role);
  const Fingerprint fingerprint = FingerprintOf(files);
  std::lock_guard lock(mutex);
  auto& entry = cache[{dir, role}];
  if (entry.context && entry.fingerprint == fingerprint) return entry.context;
  Result<std::shared_ptr<const TlsContext>> loaded = TlsContext::Load(files, role);
  if (!loaded.ok()) {
    cache.erase({dir, role});
    return loaded.status();
  }
  entry = Entry{fingerprint, *loaded};
  return *loaded;
}

}  // namespace cdr
