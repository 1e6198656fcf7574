// Naming rules for groups, servers and DR hosts. DR host names follow the cloud's host name rule; server
// names follow it too, so a server's name can always serve as a host name. Checking here catches the problem
// before anything is created.
#pragma once

#include <string>
#include <string_view>

namespace cdr::specs::internal {

// Each returns "" when `name` is valid, otherwise every broken rule, e.g.
// "must be 2–63 characters long (it has 1); must start with a letter".
std::string GroupNameProblems(std::string_view name);   // 2–63 chars, [A-Za-z][A-Za-z0-9_-]*
std::string ServerNameProblems(std::string_view name);  // 2–15 chars, [A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]
std::string DrHostNameProblems(std::string_view name);  // the same rule as servers

}  // namespace cdr::specs::internal
