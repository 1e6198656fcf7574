// Naming rules for groups and servers. A server name becomes the DR host name in a drill or failover, so it
// follows the cloud's host name rule; checking it here catches the problem before anything is created.
#pragma once

#include <string>
#include <string_view>

namespace cdr::specs::internal {

// Each returns "" when `name` is valid, otherwise every broken rule, e.g.
// "must be 2–63 characters long (it has 1); must start with a letter".
std::string GroupNameProblems(std::string_view name);   // 2–63 chars, [A-Za-z][A-Za-z0-9_-]*
std::string ServerNameProblems(std::string_view name);  // 2–15 chars, [A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]

}  // namespace cdr::specs::internal
