// One HTTP request written by hand on a socket, for what an HTTP library will not send: a head announcing a
// body that never follows. The conformance kit uses it to see whether a provider answers a bad token or an
// oversized body from the head alone, before reading any of the body (a provider that waits for it misses the
// deadline).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "common/tls_context.h"

namespace cdr::providers::http::internal {

struct RawTarget {
  std::string host;  // an address literal or a name
  int port = 0;
  std::shared_ptr<const TlsContext> tls;  // role kClient; null: plain TCP
};

struct HeadReply {
  int status = 0;
  uint64_t body_bytes_sent = 0;  // of the announced body, when the reply came
};

// Sends `head` (the request line and headers, ending in an empty line), then the body it announces slowly, in
// small pieces with a pause for a reply after each, at most `body_budget` bytes (less than announced);
// returns the reply's status and how much of the body had gone out. An HTTP library that decides from the
// head may still read what has arrived before it stops, so a server that refuses early answers after a piece
// or two; one that waits for the whole body never does. kUnavailable when there is no reply line by
// `deadline`.
Result<HeadReply> StatusForHead(const RawTarget& target, const std::string& head, uint64_t body_budget,
                                std::chrono::steady_clock::time_point deadline);

}  // namespace cdr::providers::http::internal
