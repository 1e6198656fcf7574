// The TLS contexts of one process, loaded once per certificate directory: a plan that asks 200 agents for their
// status shares one client context instead of parsing the CA, certificate and key 200 times. A context is loaded
// again when one of its files changed (size or modification time), so a long-running `cdr serve` picks up
// re-issued certificates; the revocation list is consulted on every handshake anyway (tls_revocation.h).
#pragma once

#include <filesystem>
#include <memory>

#include "common/tls_context.h"

namespace cdr {

// TlsContext::Load(TlsFilesIn(dir, role), role), or the context loaded before from the same unchanged files.
Result<std::shared_ptr<const TlsContext>> SharedTlsContext(const std::filesystem::path& dir, TlsRole role);

}  // namespace cdr
