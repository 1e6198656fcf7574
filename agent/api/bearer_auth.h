// Token checks for cdr's HTTP listeners (RFC 6750 "Authorization: Bearer TOKEN"; for a browser, Basic).
#pragma once

#include <string_view>

namespace cdr::agent::api {

// True when `authorization` (the header's value, possibly empty) carries exactly `token`. The comparison
// takes the same time wherever the first difference is and whatever the lengths, so a client cannot guess the
// token byte by byte from response times.
bool BearerTokenMatches(std::string_view authorization, std::string_view token);

// True when `authorization` is HTTP Basic (RFC 7617) whose password is exactly `password`, whatever the user
// name: what a browser sends after its login prompt. Compared like the bearer token.
bool BasicPasswordMatches(std::string_view authorization, std::string_view password);

// A browser's token (cdr serve's console): `token=TOKEN` in the query string (the link cdr serve prints), or the
// cookie kTokenCookie that the answer to such a link sets (HttpOnly, SameSite=Strict), so that the page's own
// requests carry it.
inline constexpr char kTokenCookie[] = "cdr_token";
bool QueryOrCookieTokenMatches(std::string_view query, std::string_view cookie, std::string_view token);
// true when the query string holds a `token=` parameter (the answer then sets the cookie).
bool QueryHasToken(std::string_view query);

bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Token checks hash with OpenSSL, which sets itself up on first use and keeps what that allocates in the calling
// thread's state. A listener calls this on the thread that starts it, so that state belongs to a thread that is
// joined (freed by OpenSSL's exit handler), not to a cpprest pool thread that never is, whose copy
// LeakSanitizer reports as a leak at exit.
void PrepareTokenChecks();

}  // namespace cdr::agent::api
