#!/usr/bin/env bash
# Installs the Debian packages cdr builds and tests with; does nothing when all are present.
set -euo pipefail
packages=(
  cmake ninja-build g++ make pkg-config git
  libcpprest-dev libgit2-dev libtomlplusplus-dev libsqlitecpp-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libgtest-dev googletest libcli11-dev nlohmann-json3-dev libssl-dev libzstd-dev libxxhash-dev
  libhttp-parser-dev libnbd-dev libnbd-bin nbdkit liburing-dev python3-libnbd fuse3 qemu-utils e2fsprogs fuse2fs sqlite3 bc fio rsync
  chromium python3-prometheus-client clang libclang-rt-14-dev
  libpq-dev postgresql lld
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
