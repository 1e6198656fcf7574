// Random identifiers (lock ids, client tokens, provider ids) from OpenSSL's CSPRNG.
#pragma once

#include <string>

namespace cdr {

// `bytes` random bytes as 2*bytes lowercase hex characters.
std::string RandomHex(int bytes);

}  // namespace cdr
