// Bearer-token checks for the control API (RFC 6750 "Authorization: Bearer TOKEN").
#pragma once

#include <string_view>

namespace cdr::agent::api {

// True when `authorization` (the header's value, possibly empty) carries exactly `token`. The comparison
// takes the same time wherever the first difference is and whatever the lengths, so a client cannot guess the
// token byte by byte from response times.
bool BearerTokenMatches(std::string_view authorization, std::string_view token);

bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Token checks hash with OpenSSL, which sets itself up on first use and keeps what that allocates in the calling
// thread's state. A listener calls this on the thread that starts it, so that state belongs to a thread that is
// joined (freed by OpenSSL's exit handler), not to a cpprest pool thread that never is, whose copy
// LeakSanitizer reports as a leak at exit.
void PrepareTokenChecks();

}  // namespace cdr::agent::api
