// The entry point of one agent release. CDR_AGENT_VERSION is given by the build (CMakeLists.txt), which compiles
// this file once per release (cdr-agent, cdr-agent-next) and links the same agent/main objects into each.
#include "agent/main/run_agent.h"

#ifndef CDR_AGENT_VERSION
#error "CDR_AGENT_VERSION must be defined by the build (CMakeLists.txt)"
#endif

int main(int argc, char** argv) { return cdr::agent::RunAgent(argc, argv, CDR_AGENT_VERSION); }
