// Runs an external tool (mkfs.ext4, e2fsck) without a shell: arguments are passed as-is, so host ids and
// paths never need quoting, and the tool's stderr is captured for the error message.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"

namespace cdr::providers::local::internal {

// Looks in /sbin and /usr/sbin before PATH: e2fsprogs lives there and a non-root PATH often omits them.
// kFailedPrecondition when the tool is not installed.
Result<std::filesystem::path> FindTool(const std::string& name);

struct ToolResult {
  int exit_code = 0;  // 128 + signal number when the tool was killed
  std::string stderr_text;
};

struct ToolOptions {
  std::filesystem::path stdout_path = "/dev/null";  // where the tool's stdout goes (created or truncated)
  std::vector<std::string> extra_env;               // "NAME=value" added to this process's environment
};

// Runs `program args...` with stdin on /dev/null and waits for it. Fails only when the tool cannot be started;
// a non-zero exit is reported in the result.
Result<ToolResult> RunTool(const std::filesystem::path& program, const std::vector<std::string>& args,
                           const ToolOptions& options = {});

// RunTool, with a non-zero exit turned into kInternal carrying the tool's stderr.
Status RunToolChecked(const std::filesystem::path& program, const std::vector<std::string>& args);

}  // namespace cdr::providers::local::internal
