// Plan-time rules on the provider's host facts (docs/state-machine.md rules): at least 2 vCPU and 4 GiB, ext4
// or xfs, in the group's production zone and VPC (a group holds servers of one VPC).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "providers/types/host.h"
#include "specs/spec.h"

namespace cdr::reconcile {

inline constexpr int kMinVcpus = 2;
inline constexpr int64_t kMinMemoryMib = 4096;

// Appends one diagnostic per broken rule, pointing at the server's `host` value.
void CheckHostFacts(const specs::GroupSpec& group, const specs::ServerSpec& server,
                    const std::map<std::string, providers::HostFacts>& hosts,
                    std::vector<specs::Diagnostic>* errors);

}  // namespace cdr::reconcile
