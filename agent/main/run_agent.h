// cdr-agent's program, apart from its release: `main` (agent/main/release/agent_release_main.cc) passes the
// version it was built as, so cdr-agent and cdr-agent-next share every other compiled file.
#pragma once

namespace cdr::agent {

// Parses the command line, runs the agent until SIGTERM/SIGINT and returns the process's exit code.
int RunAgent(int argc, char** argv, const char* version);

}  // namespace cdr::agent
