// One fuzz target is one function over bytes, for every parser that reads what a peer or an operator sends:
// the TOML spec, the replication frames, the control API's JSON, NBD's handshake and requests, journal segments.
//
// Built with CDR_LIBFUZZER (clang, `make fuzz`), each fuzz_*.cc file is a libFuzzer program. Without it, the
// targets register themselves for tests/fuzz/fuzz_replay_test.cc, which runs every seed of fuzz/corpus/ and every
// input that once crashed (fuzz/regressions/) in the normal and the sanitizer test suites.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace cdr::fuzz {

using Target = int (*)(const uint8_t* data, size_t size);
std::map<std::string, Target>& Targets();

struct Registration {
  Registration(const char* name, Target target) { Targets()[name] = target; }
};

}  // namespace cdr::fuzz

#ifdef CDR_LIBFUZZER
#define CDR_FUZZ_TARGET(name, function) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { return function(data, size); }
#else
#define CDR_FUZZ_TARGET(name, function) \
  static const ::cdr::fuzz::Registration cdr_fuzz_registration_##function(name, function);
#endif
