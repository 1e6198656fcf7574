// A cpprest message body made from bytes. cpprest's std::string bodies (set_body(std::string, …)) read a char
// buffer through an unsigned char stream, calling members of an object of another type: undefined behaviour that
// UBSan stops on (`make test-asan`). A vector of unsigned char is a buffer of the stream's own type.
#pragma once

#include <cpprest/containerstream.h>

#include <string>
#include <utility>
#include <vector>

namespace cdr::agent::api {

// Sets `body` with `content_type` on a cpprest http_request or http_response.
template <typename Message>
void SetByteBody(Message& message, const std::string& body, const std::string& content_type) {
  std::vector<unsigned char> bytes(body.begin(), body.end());
  const size_t length = bytes.size();
  message.set_body(concurrency::streams::bytestream::open_istream(std::move(bytes)), length, content_type);
}

}  // namespace cdr::agent::api
