// The local cloud keeps its daemons' tokens in secret files (common/secret_file.h).
#pragma once

#include "common/secret_file.h"

namespace cdr::providers::local::internal {

using cdr::LoadOrCreateSecretFile;
using cdr::ReadSecretFile;
using cdr::WriteSecretFile;

}  // namespace cdr::providers::local::internal
