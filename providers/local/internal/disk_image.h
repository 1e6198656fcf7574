// Disk images of local hosts: sparse files, so a cloud of many 256 MiB hosts costs only the blocks mkfs
// writes, formatted by the real mkfs.ext4 so replication and recovery can be checked with e2fsck.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"

namespace cdr::providers::local::internal {

// Creates `path` (which must not exist yet) as a sparse file of `size_bytes`.
Status CreateSparseImage(const std::filesystem::path& path, int64_t size_bytes);

// Formats the image with `mkfs.ext4 -q -F -L LABEL`; kInternal with mkfs's stderr when it fails.
Status FormatExt4(const std::filesystem::path& path, const std::string& label);

}  // namespace cdr::providers::local::internal
